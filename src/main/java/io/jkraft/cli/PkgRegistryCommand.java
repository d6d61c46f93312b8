package io.jkraft.cli;

import io.jkraft.common.ExitCode;
import io.jkraft.pkg.oci.Descriptor;
import io.jkraft.registry.RegistryService;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** kraft's `pkg push` and `pkg pull`: images between the local store and OCI registries. */
final class PkgRegistryCommand {
    private PkgRegistryCommand() {}

    @Command(name = "push", mixinStandardHelpOptions = true,
            description = "Push images of the local store (index, manifests, configs, layers) to their registries.",
            footer = {"", "Examples:", "  jkraft pkg push registry.example.com/team/hello:1.0",
                    "  jkraft pkg push 127.0.0.1:5000/hello   # loopback registries may be plain HTTP"})
    static final class Push extends JkraftCommand {
        @Parameters(arity = "1..*", paramLabel = "REF", description = "Images to push, as `pkg ls` names them.")
        List<String> references;

        Push(CliContext context) {
            super(context);
        }

        @Override
        Integer execute() {
            try (RegistryService registries = context.registryService(new ConsoleTransferListener(terminal, global))) {
                for (String ref : references) {
                    Descriptor pushed = registries.push(ref);
                    terminal.err().println(terminal.green("pushed ") + ref);
                    terminal.out().println(pushed.digest());
                }
            }
            terminal.out().flush();
            return ExitCode.SUCCESS.code();
        }
    }

    @Command(name = "pull", mixinStandardHelpOptions = true,
            description = {"Pull a component of the configured index into the source cache (NAME, NAME:CHANNEL, "
                    + "NAME@VERSION, TYPE/NAME), or an image from its registry into the local store, so that "
                    + "`jkraft run REF` finds it.",
                    "Every manifest and blob is checked against its digest before it is stored."},
            footer = {"", "Examples:", "  jkraft pkg pull musl:stable", "  jkraft pkg pull registry.example.com/team/hello:1.0",
                    "  jkraft pkg pull -p qemu -m x86_64 127.0.0.1:5000/hello && jkraft run 127.0.0.1:5000/hello"})
    static final class Pull extends JkraftCommand {
        @Parameters(arity = "1..*", paramLabel = "REF", description = "Images to pull.")
        List<String> references;

        @Option(names = {"-m", "--arch"}, paramLabel = "ARCH", description = "Only the kernels for this architecture.")
        String arch;

        @Option(names = {"-p", "--plat"}, paramLabel = "PLAT", description = "Only the kernels for this platform.")
        String plat;

        Pull(CliContext context) {
            super(context);
        }

        @Override
        Integer execute() {
            if (PkgIndexCommands.pull(context, terminal, global, references)) {
                return ExitCode.SUCCESS.code();
            }
            try (RegistryService registries = context.registryService(new ConsoleTransferListener(terminal, global))) {
                for (String ref : references) {
                    Descriptor pulled = registries.pull(ref, plat, arch);
                    terminal.err().println(terminal.green("pulled ") + ref);
                    terminal.out().println(pulled.digest());
                }
            }
            terminal.out().flush();
            return ExitCode.SUCCESS.code();
        }
    }
}
