package io.jkraft.cli;

import io.jkraft.common.ExitCode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "fetch", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Fetch the project's components (core, libraries) and their remote origins, without building.",
        footer = {"", "Examples:", "  jkraft fetch", "  jkraft fetch --plat qemu --arch arm64 app/"})
public final class FetchCommand extends JkraftCommand {

    @Mixin
    ProjectOptions project;


    FetchCommand(CliContext context) {
        super(context);
    }

    @Override
    Integer execute() {
        context.buildService(new ConsoleBuildListener(terminal, global)).fetch(project.request(false, false, null));
        return ExitCode.SUCCESS.code();
    }
}
