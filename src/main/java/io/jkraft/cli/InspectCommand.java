package io.jkraft.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "inspect", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Show everything jkraft knows about a machine, as JSON.",
        footer = {"", "Examples:", "  jkraft inspect web"})
public final class InspectCommand extends JkraftCommand {


    @Parameters(index = "0", paramLabel = "NAME", description = "The machine's name or id prefix.")
    String name;

    InspectCommand(CliContext context) {
        super(context);
    }

    @Override
    Integer execute() throws Exception {
        terminal.out().println(MachineJson.write(MachineJson.of(context.machineService().inspect(name))));
        terminal.out().flush();
        return 0;
    }
}
