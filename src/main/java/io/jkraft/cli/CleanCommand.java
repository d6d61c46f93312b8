package io.jkraft.cli;

import io.jkraft.common.ExitCode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "clean", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Remove build objects (the configuration and fetched sources stay).",
        footer = {"", "Examples:", "  jkraft clean", "  jkraft clean --proper -t qemu/x86_64"})
public final class CleanCommand extends JkraftCommand {

    @Mixin
    ProjectOptions project;


    @Option(names = {"-P", "--proper"}, description = "Remove the whole build folder and the kernels too.")
    boolean proper;

    CleanCommand(CliContext context) {
        super(context);
    }

    @Override
    Integer execute() {
        context.buildService(new ConsoleBuildListener(terminal, global)).clean(project.request(false, false, null), proper);
        return ExitCode.SUCCESS.code();
    }
}
