package io.jkraft.cli;

import io.jkraft.common.UserException;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** kraft's `pkg push` and `pkg pull`, present so that they fail with a clear reason instead of "unknown command". */
final class PkgRegistryCommand {
    private PkgRegistryCommand() {}

    static UserException unsupported(String what) {
        return new UserException("registries are not supported yet, so jkraft cannot " + what,
                "images live in the local store only: `jkraft pkg ls` lists them; skopeo can copy them from "
                        + "the OCI layout in $XDG_DATA_HOME/jkraft/oci");
    }

    @Command(name = "push", mixinStandardHelpOptions = true, description = "Push an image to a registry (not supported yet).")
    static final class Push extends JkraftCommand {
        @Parameters(arity = "0..*", paramLabel = "REF")
        List<String> references;

        Push(CliContext context) {
            super(context);
        }

        @Override
        Integer execute() {
            throw unsupported("push");
        }
    }

    @Command(name = "pull", mixinStandardHelpOptions = true, description = "Pull a component of the index into the source cache (NAME, NAME:CHANNEL, NAME@VERSION, TYPE/NAME); images from registries are not supported yet.")
    static final class Pull extends JkraftCommand {
        @Parameters(arity = "0..*", paramLabel = "REF")
        List<String> references;

        Pull(CliContext context) {
            super(context);
        }

        @Override
        Integer execute() {
            if (PkgIndexCommands.pull(context, terminal, global, references)) {
                return 0;
            }
            throw unsupported("pull");
        }
    }
}
