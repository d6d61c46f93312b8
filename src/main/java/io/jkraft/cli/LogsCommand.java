package io.jkraft.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "logs", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Print a machine's console output.",
        footer = {"", "Examples:", "  jkraft logs web", "  jkraft logs -f web"})
public final class LogsCommand extends JkraftCommand {


    @Parameters(index = "0", paramLabel = "NAME", description = "The machine's name or id prefix.")
    String name;

    @Option(names = {"-f", "--follow"}, description = "Keep printing until the machine ends.")
    boolean follow;

    LogsCommand(CliContext context) {
        super(context);
    }

    @Override
    Integer execute() {
        try {
            context.machineService().logs(name, follow, terminal.console());
        } catch (java.io.UncheckedIOException e) {
            if (e.getCause() instanceof io.jkraft.machine.qemu.ConsoleTail.OutputClosedException) {
                return RunCommand.OUTPUT_CLOSED;
            }
            throw e;
        }
        return 0;
    }
}
