package io.jkraft.cli;

import io.jkraft.common.ExitCode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "logs", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Print a machine's console output.",
        modelTransformer = ExitCodeHelp.Output.class,
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
            if (e.getCause() instanceof io.jkraft.machine.api.ConsoleTail.OutputClosedException) {
                return ExitCode.OUTPUT_CLOSED.code();
            }
            throw e;
        }
        return ExitCode.SUCCESS.code();
    }
}
