package io.jkraft.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "logs", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Print a machine's console output.",
        footer = {"", "Examples:", "  jkraft logs web", "  jkraft logs -f web"})
final class LogsCommand implements Callable<Integer> {
    private final CliContext context;
    private final Terminal terminal;

    @Mixin
    GlobalOptions global;

    @Parameters(index = "0", paramLabel = "NAME", description = "The machine's name or id prefix.")
    String name;

    @Option(names = {"-f", "--follow"}, description = "Keep printing until the machine ends.")
    boolean follow;

    LogsCommand(CliContext context) {
        this.context = context;
        this.terminal = context.terminal();
    }

    @Override
    public Integer call() {
        global.apply(terminal);
        context.machineService().logs(name, follow, terminal.console());
        return 0;
    }
}
