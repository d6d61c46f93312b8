package io.jkraft.cli;

import io.jkraft.machine.MachineService;
import picocli.CommandLine.Command;

@Command(name = "pause", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Pause running machines (their vCPUs stop; memory stays).",
        footer = {"", "Examples:", "  jkraft pause my-machine", "  jkraft pause --all"})
public final class PauseCommand extends LifecycleCommand {
    PauseCommand(CliContext context) {
        super(context);
    }

    @Override
    void apply(MachineService machines, String name) {
        machines.pause(name);
    }
}
