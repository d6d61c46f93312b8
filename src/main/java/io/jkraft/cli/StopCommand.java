package io.jkraft.cli;

import io.jkraft.machine.MachineService;
import picocli.CommandLine.Command;

@Command(name = "stop", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Stop running machines (the guest is ended; start boots it again).",
        footer = {"", "Examples:", "  jkraft stop my-machine", "  jkraft stop --all"})
public final class StopCommand extends LifecycleCommand {
    StopCommand(CliContext context) {
        super(context);
    }

    @Override
    void apply(MachineService machines, String name) {
        machines.stop(name);
    }
}
