package io.jkraft.cli;

import io.jkraft.common.UserException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "menu", mixinStandardHelpOptions = true, aliases = "menuconfig", sortOptions = false,
        description = "Open the core's menuconfig for one target on this terminal; build with --no-configure to keep the result.",
        footer = {"", "Examples:", "  jkraft menu -t qemu/x86_64", "  jkraft build --no-configure -t qemu/x86_64"})
public final class MenuCommand extends JkraftCommand {

    @Mixin
    ProjectOptions project;


    MenuCommand(CliContext context) {
        super(context);
    }

    @Override
    Integer execute() {
        if (!terminal.interactive()) {
            throw new UserException("menu needs a terminal", "run it in an interactive shell, not through a pipe");
        }
        return context.buildService(new ConsoleBuildListener(terminal, global)).menu(project.request(false, false, null));
    }
}
