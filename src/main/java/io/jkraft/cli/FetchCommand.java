package io.jkraft.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "fetch", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Fetch the project's components (core, libraries) and their remote origins, without building.",
        footer = {"", "Examples:", "  jkraft fetch", "  jkraft fetch --plat qemu --arch arm64 app/"})
final class FetchCommand implements Callable<Integer> {
    private final CliContext context;
    private final Terminal terminal;

    @Mixin
    ProjectOptions project;

    @Mixin
    GlobalOptions global;

    FetchCommand(CliContext context) {
        this.context = context;
        this.terminal = context.terminal();
    }

    @Override
    public Integer call() {
        global.apply(terminal);
        context.buildService(new ConsoleBuildListener(terminal, global)).fetch(project.request(false, false, null));
        return 0;
    }
}
