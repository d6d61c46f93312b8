package io.jkraft.cli;

import io.jkraft.common.ExitCode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** kraft's `logout`: forgets the credentials `jkraft login` stored for a registry. */
@Command(name = "logout", mixinStandardHelpOptions = true,
        description = "Forget the credentials stored by `jkraft login` for a registry (Docker's config is left alone).",
        footer = {"", "Examples:", "  jkraft logout registry.example.com"})
public final class LogoutCommand extends JkraftCommand {
    @Parameters(index = "0", paramLabel = "HOST", description = "The registry.")
    String host;

    LogoutCommand(CliContext context) {
        super(context);
    }

    @Override
    Integer execute() {
        boolean removed;
        try (var registries = context.registryService(io.jkraft.registry.TransferListener.SILENT)) {
            removed = registries.logout(host);
        }
        terminal.err().println(removed ? "logged out of " + host : "no credentials were stored for " + host);
        terminal.err().flush();
        return ExitCode.SUCCESS.code();
    }
}
