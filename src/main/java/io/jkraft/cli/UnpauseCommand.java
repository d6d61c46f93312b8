package io.jkraft.cli;

import io.jkraft.machine.MachineService;
import picocli.CommandLine.Command;

@Command(name = "unpause", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Resume paused machines.",
        footer = {"", "Examples:", "  jkraft unpause my-machine", "  jkraft unpause --all"})
public final class UnpauseCommand extends LifecycleCommand {
    UnpauseCommand(CliContext context) {
        super(context);
    }

    @Override
    void apply(MachineService machines, String name) {
        machines.unpause(name);
    }
}
