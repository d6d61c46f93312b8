package io.jkraft.cli;

import io.jkraft.common.ExitCode;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "rm", aliases = "remove", mixinStandardHelpOptions = true,
        description = "Untag images of the local store; `jkraft pkg prune` then frees their blobs.",
        footer = {"", "Examples:", "  jkraft pkg rm hello:1.0", "  jkraft pkg rm hello unikraft.org/nginx:latest && jkraft pkg prune"})
final class PkgRemoveCommand extends JkraftCommand {

    @Parameters(arity = "1..*", paramLabel = "REF", description = "Images to remove.")
    List<String> references;

    PkgRemoveCommand(CliContext context) {
        super(context);
    }

    @Override
    Integer execute() {
        context.packageService(new ConsoleBuildListener(terminal, global)).remove(references);
        references.forEach(terminal.out()::println);
        terminal.out().flush();
        return ExitCode.SUCCESS.code();
    }
}
