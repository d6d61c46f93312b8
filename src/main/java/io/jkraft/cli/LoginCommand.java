package io.jkraft.cli;

import io.jkraft.common.ExitCode;
import io.jkraft.common.UserException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** kraft's `login`: checks credentials with a registry and keeps them for push and pull. */
@Command(name = "login", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Log in to an OCI registry: the credentials are checked with it, then stored in",
                "$XDG_CONFIG_HOME/jkraft/auth.json (mode 0600). Docker's config.json is read as well."},
        footer = {"", "Examples:", "  echo \"$TOKEN\" | jkraft login registry.example.com -u me --password-stdin",
                "  jkraft login 127.0.0.1:5000 -u me    # asks for the password on a terminal"})
public final class LoginCommand extends JkraftCommand {
    @Parameters(index = "0", paramLabel = "HOST", description = "The registry, e.g. registry.example.com or 127.0.0.1:5000.")
    String host;

    @Option(names = {"-u", "--username"}, paramLabel = "USER", required = true, description = "The user name.")
    String username;

    @Option(names = {"-p", "--password"}, paramLabel = "PASS",
            description = "The password (visible to other users in the process list: prefer --password-stdin).")
    String password;

    @Option(names = "--password-stdin", description = "Read the password from standard input.")
    boolean passwordStdin;

    private final InputStream stdin;

    LoginCommand(CliContext context) {
        super(context);
        this.stdin = System.in;
    }

    @Override
    Integer execute() throws IOException {
        String secret = password;
        if (passwordStdin) {
            if (password != null) {
                throw new UserException("give the password either with -p or with --password-stdin, not both", null);
            }
            secret = new String(stdin.readAllBytes(), StandardCharsets.UTF_8).strip();
        } else if (secret == null) {
            if (System.console() == null) {
                throw new UserException("login needs a password: -p PASS or --password-stdin",
                        "e.g. echo \"$PASSWORD\" | jkraft login " + host + " -u " + username + " --password-stdin");
            }
            char[] typed = System.console().readPassword("Password: ");
            secret = typed == null ? "" : new String(typed);
        } else {
            terminal.err().println(terminal.yellow("warning: ") + "a password given with -p is visible in the process list;"
                    + " prefer --password-stdin");
        }
        if (secret.isEmpty()) {
            throw new UserException("the password is empty", "give the password with -p or --password-stdin");
        }
        try (var registries = context.registryService(io.jkraft.registry.TransferListener.SILENT)) {
            registries.login(host, username, secret);
        }
        terminal.err().println(terminal.green("logged in to ") + host + " as " + username);
        terminal.err().flush();
        return ExitCode.SUCCESS.code();
    }
}
