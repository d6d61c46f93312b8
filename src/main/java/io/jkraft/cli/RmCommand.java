package io.jkraft.cli;

import io.jkraft.common.ExitCode;
import io.jkraft.machine.MachineService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "rm", aliases = "remove", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Remove machines and everything they left (state folder, ports). A running one needs -f.",
        footer = {"", "Examples:", "  jkraft rm my-machine", "  jkraft rm -f web", "  jkraft rm --all"})
public final class RmCommand extends LifecycleCommand {
    @Option(names = {"-f", "--force"}, description = "Stop running machines first.")
    boolean force;

    RmCommand(CliContext context) {
        super(context);
    }

    @Override
    void apply(MachineService machines, String name) {
        machines.remove(name, force);
    }

    /** --all also ends VMMs and removes folders that no record accounts for, so nothing is left behind. */
    @Override
    Integer execute() {
        if (all && names.isEmpty()) {
            context.machineService().removeAll().forEach(terminal.out()::println);
            terminal.out().flush();
            return ExitCode.SUCCESS.code();
        }
        return super.execute();
    }
}
