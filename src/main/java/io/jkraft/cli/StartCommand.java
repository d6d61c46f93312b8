package io.jkraft.cli;

import io.jkraft.machine.MachineService;
import picocli.CommandLine.Command;

@Command(name = "start", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Boot machines that are not running, as they were created.",
        footer = {"", "Examples:", "  jkraft start my-machine", "  jkraft start --all"})
public final class StartCommand extends LifecycleCommand {
    StartCommand(CliContext context) {
        super(context);
    }

    @Override
    void apply(MachineService machines, String name) {
        machines.detach(machines.start(name));
    }
}
