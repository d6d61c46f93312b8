package io.jkraft.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "clean", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Remove build objects (the configuration and fetched sources stay).",
        footer = {"", "Examples:", "  jkraft clean", "  jkraft clean --proper -t qemu/x86_64"})
final class CleanCommand implements Callable<Integer> {
    private final CliContext context;
    private final Terminal terminal;

    @Mixin
    ProjectOptions project;

    @Mixin
    GlobalOptions global;

    @Option(names = {"-P", "--proper"}, description = "Remove the whole build folder and the kernels too.")
    boolean proper;

    CleanCommand(CliContext context) {
        this.context = context;
        this.terminal = context.terminal();
    }

    @Override
    public Integer call() {
        global.apply(terminal);
        context.buildService(new ConsoleBuildListener(terminal, global)).clean(project.request(false, false, null), proper);
        return 0;
    }
}
