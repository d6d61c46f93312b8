package io.jkraft.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "inspect", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Show everything jkraft knows about a machine, as JSON.",
        footer = {"", "Examples:", "  jkraft inspect web"})
final class InspectCommand implements Callable<Integer> {
    private final CliContext context;
    private final Terminal terminal;

    @Mixin
    GlobalOptions global;

    @Parameters(index = "0", paramLabel = "NAME", description = "The machine's name or id prefix.")
    String name;

    InspectCommand(CliContext context) {
        this.context = context;
        this.terminal = context.terminal();
    }

    @Override
    public Integer call() throws Exception {
        global.apply(terminal);
        terminal.out().println(MachineJson.write(MachineJson.of(context.machineService().inspect(name))));
        terminal.out().flush();
        return 0;
    }
}
