package io.jkraft.cli;

import io.jkraft.common.UserException;
import io.jkraft.machine.MachineService;
import io.jkraft.machine.store.MachineRecord;
import io.jkraft.machine.store.MachineStatus;
import io.jkraft.profile.DebugSession;
import io.jkraft.profile.ProfileService;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "debug", mixinStandardHelpOptions = true,
        description = {"Start gdb on a running machine's unstripped kernel, connected to its gdbstub (opened "
                + "through QEMU's monitor when the machine has none), with the core's uk-gdb.py helpers loaded.",
                "Arguments after -- go to gdb."},
        footer = {"", "Examples:", "  jkraft debug web", "  jkraft debug web -- -batch -ex bt"})
public final class DebugCommand extends JkraftCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "The machine.")
    String name;

    @Parameters(index = "1..*", paramLabel = "GDB-ARGS", description = "More arguments for gdb (after --).")
    List<String> gdbArgs = new ArrayList<>();

    DebugCommand(CliContext context) {
        super(context);
    }

    @Override
    Integer execute() throws IOException, InterruptedException {
        MachineService machines = context.machineService();
        MachineRecord machine = machines.inspect(name);
        if (machine.status() != MachineStatus.RUNNING && machine.status() != MachineStatus.PAUSED) {
            throw new UserException("cannot debug " + machine.name() + ": it is " + machine.status().word(),
                    "start it first (`jkraft start " + machine.name() + "`)");
        }
        if (machine.spec().gdb() == null) {
            machine = machines.openGdbStub(machine.id(), 0);
        }
        List<String> argv = DebugSession.command(ProfileService.debugImage(machine), machine.spec().kernel(),
                machine.spec().architecture(), machine.spec().gdb().gdbTarget(), gdbArgs, context.environment());
        terminal.out().flush();
        return context.invocation().start(new ProcessBuilder(argv).inheritIO()).waitFor();
    }
}
