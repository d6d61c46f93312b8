package io.jkraft.cli;

import io.jkraft.common.ExitCode;
import io.jkraft.common.UserException;
import io.jkraft.machine.MachineService;
import io.jkraft.machine.store.MachineRecord;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The shape shared by stop, start, pause, unpause and rm: one or more machine names (or --all), one
 * action each, the name printed for each success, and every failure reported before a non-zero exit.
 */
abstract class LifecycleCommand extends JkraftCommand {


    @Parameters(arity = "0..*", paramLabel = "NAME", description = "Machine names or id prefixes.")
    List<String> names = new ArrayList<>();

    @Option(names = "--all", description = "Every machine.")
    boolean all;

    LifecycleCommand(CliContext context) {
        super(context);
    }

    /** Does the command's work on one machine. */
    abstract void apply(MachineService machines, String name);

    /** The machines --all means for this command. */
    List<String> everyMachine(MachineService machines) {
        return machines.list().stream().map(MachineRecord::name).toList();
    }

    @Override
    Integer execute() {
        if (names.isEmpty() == !all) {
            throw new UserException(all ? "give machine names or --all, not both" : "which machine?",
                    "name one or more machines (see `jkraft ps -a`), or pass --all");
        }
        MachineService machines = context.machineService();
        List<String> targets = all ? everyMachine(machines) : names;
        int failures = 0;
        for (String name : targets) {
            try {
                apply(machines, name);
                terminal.out().println(name);
            } catch (UserException e) {
                failures++;
                terminal.err().println(terminal.red("error: ") + e.getMessage());
                if (e.hint() != null) {
                    terminal.err().println("hint: " + e.hint());
                }
            }
        }
        terminal.out().flush();
        return (failures == 0 ? ExitCode.SUCCESS : ExitCode.ERROR).code();
    }
}
