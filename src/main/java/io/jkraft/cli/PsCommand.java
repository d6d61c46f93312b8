package io.jkraft.cli;

import io.jkraft.common.ExitCode;
import io.jkraft.machine.MachineService;
import io.jkraft.machine.store.MachineRecord;
import io.jkraft.machine.store.MachineStatus;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "ps", mixinStandardHelpOptions = true, sortOptions = false,
        description = "List machines: running ones, or all with -a. Records are checked against the processes first.",
        footer = {"", "Examples:", "  jkraft ps", "  jkraft ps -a -o json", "  jkraft rm $(jkraft ps -aq)"})
public final class PsCommand extends JkraftCommand {


    @Option(names = {"-a", "--all"}, description = "Also machines that are not running.")
    boolean all;

    @Option(names = {"-q", "--quiet"}, description = "Only names.")
    boolean quiet;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "table (or text) or json.")
    OutputFormat output = OutputFormat.text;

    PsCommand(CliContext context) {
        super(context);
    }

    @Override
    Integer execute() throws Exception {
        MachineService service = context.machineService();
        List<MachineRecord> machines = service.list().stream()
                .filter(m -> all || m.status() == MachineStatus.RUNNING || m.status() == MachineStatus.PAUSED)
                .toList();
        if (output == OutputFormat.json) {
            terminal.out().println(MachineJson.write(machines.stream().map(m -> MachineJson.of(m, service::guestExitStatus)).toList()));
        } else if (quiet) {
            machines.forEach(m -> terminal.out().println(m.name()));
        } else {
            MachineTable.print(terminal.out(), machines, service::guestExitStatus);
        }
        terminal.out().flush();
        return ExitCode.SUCCESS.code();
    }
}
