package io.jkraft.cli;

import io.jkraft.pkg.PackRequestOptions;
import io.jkraft.pkg.oci.Descriptor;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `jkraft pkg`: packs like kraft's `kraft pkg`; its subcommands manage the local image store. */
@Command(name = "pkg", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Package a project's kernels as one OCI image in the local store (kraft's `kraft pkg`).",
                "The selected targets are built first; up-to-date ones are not rebuilt."},
        subcommands = {PkgListCommand.class, PkgRemoveCommand.class, PkgPruneCommand.class,
                PkgRegistryCommand.Push.class, PkgRegistryCommand.Pull.class, PkgIndexCommands.Source.class,
                PkgIndexCommands.Unsource.class, PkgIndexCommands.Update.class, PkgIndexCommands.Info.class},
        footer = {"", "Examples:",
                "  jkraft pkg -n hello:1.0 examples/helloworld   # all targets",
                "  jkraft pkg -n hello --plat qemu -m x86_64 -a first -e GREETING=hi .",
                "  jkraft pkg -n 127.0.0.1:5000/hello:1.0 --push .",
                "  jkraft pkg ls",
                "  jkraft run hello:1.0"})
final class PkgCommand extends JkraftCommand {

    @Mixin
    ProjectOptions project;

    @Option(names = {"-n", "--name"}, paramLabel = "REF",
            description = "The image's reference, e.g. unikraft.org/hello:1.0 (registry and :latest are implied).")
    String name;

    @Option(names = "--dbg", description = "Also pack each unstripped kernel (with symbols) as kernel.dbg.")
    boolean dbg;

    @Option(names = {"-a", "--args"}, paramLabel = "ARG", description = "An application argument recorded as the image's cmd, replacing the Kraftfile's; repeatable.")
    List<String> args = new ArrayList<>();

    @Option(names = {"-e", "--env"}, paramLabel = "K=V", description = "An environment variable recorded in the image; repeatable.")
    List<String> env = new ArrayList<>();

    @Option(names = "--rootfs", paramLabel = "PATH", description = "A folder (packed into a cpio) or a cpio file shipped as the initrd (default: the Kraftfile's rootfs).")
    String rootfs;

    @Option(names = "--push", description = "Push the image to its registry once packed.")
    boolean push;

    PkgCommand(CliContext context) {
        super(context);
    }

    @Override
    Integer execute() {
        // not required=true: picocli would then demand it of `pkg ls` and the other subcommands too
        if (name == null) {
            throw new io.jkraft.common.UserException("pkg needs the image's name: -n/--name REF",
                    "e.g. jkraft pkg -n hello:1.0 DIR; `jkraft pkg ls` lists packed images");
        }
        Descriptor index = context.packageService(new ConsoleBuildListener(terminal, global))
                .pack(new PackRequestOptions(project.request(false, false, null), name, dbg, args, env, rootfs));
        terminal.err().println(terminal.green("packed ") + io.jkraft.pkg.oci.Reference.parse(name));
        if (push) {
            try (var registries = context.registryService(new ConsoleTransferListener(terminal, global))) {
                registries.push(name);
            }
            terminal.err().println(terminal.green("pushed ") + io.jkraft.pkg.oci.Reference.parse(name));
        }
        terminal.out().println(index.digest());
        terminal.out().flush();
        return 0;
    }
}
