package io.jkraft.cli;

import io.jkraft.common.ExitCode;
import io.jkraft.machine.MachineService;
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
        MachineService service = context.machineService();
        terminal.out().println(MachineJson.write(MachineJson.of(service.inspect(name), service::guestExitStatus)));
        terminal.out().flush();
        return ExitCode.SUCCESS.code();
    }
}
