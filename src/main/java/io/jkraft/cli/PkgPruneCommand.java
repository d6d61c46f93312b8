package io.jkraft.cli;

import io.jkraft.common.ExitCode;
import picocli.CommandLine.Command;

@Command(name = "prune", mixinStandardHelpOptions = true,
        description = {"Delete the blobs of the local store that no image reaches.",
                "Blobs younger than ten minutes are spared: a pack running elsewhere may not have tagged them yet."},
        footer = {"", "Examples:", "  jkraft pkg rm hello && jkraft pkg prune"})
final class PkgPruneCommand extends JkraftCommand {

    PkgPruneCommand(CliContext context) {
        super(context);
    }

    @Override
    Integer execute() {
        long freed = context.packageService(new ConsoleBuildListener(terminal, global)).prune();
        terminal.out().println("freed " + freed + " bytes");
        terminal.out().flush();
        return ExitCode.SUCCESS.code();
    }
}
