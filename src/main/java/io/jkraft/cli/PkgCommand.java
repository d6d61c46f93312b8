package io.jkraft.cli;

import io.jkraft.common.ExitCode;
import io.jkraft.pkg.PackRequestOptions;
import io.jkraft.pkg.oci.Descriptor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `jkraft pkg`: packs like kraft's `kraft pkg`; its subcommands manage the local image store. */
@Command(name = "pkg", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Package a project's kernels as one OCI image in the local store (kraft's `kraft pkg`).",
                "The selected targets are built first; up-to-date ones are not rebuilt."},
        footer = {"", "Examples:",
                "  jkraft pkg -n hello:1.0 examples/helloworld   # all targets",
                "  jkraft pkg -n hello --plat qemu -m x86_64 -a first -e GREETING=hi .",
                "  jkraft pkg -n 127.0.0.1:5000/hello:1.0 --push .",
                "  jkraft pkg ls",
                "  jkraft run hello:1.0"})
public final class PkgCommand extends JkraftCommand {
    /** The subcommands by name and alias, in the order help lists them. */
    private static final Map<String, Class<?>> SUBCOMMANDS = subcommands();

    /** The names of pkg's subcommands, aliases included. */
    public static java.util.Set<String> subcommandNames() {
        return SUBCOMMANDS.keySet();
    }

    private static Map<String, Class<?>> subcommands() {
        Map<String, Class<?>> m = new LinkedHashMap<>();
        m.put("ls", PkgListCommand.class);
        m.put("list", PkgListCommand.class);
        m.put("rm", PkgRemoveCommand.class);
        m.put("remove", PkgRemoveCommand.class);
        m.put("prune", PkgPruneCommand.class);
        m.put("push", PkgRegistryCommand.Push.class);
        m.put("pull", PkgRegistryCommand.Pull.class);
        m.put("source", PkgIndexCommands.Source.class);
        m.put("unsource", PkgIndexCommands.Unsource.class);
        m.put("update", PkgIndexCommands.Update.class);
        m.put("info", PkgIndexCommands.Info.class);
        return m;
    }

    /**
     * `pkg` with its subcommands, or only with {@code next} when that names one: picocli builds the model of
     * every subcommand it is given (reflection, annotation proxies), which cost `pkg push` and `pkg pull`
     * about 100 ms for eight subcommands they do not run.
     */
    public static CommandLine commandLine(CommandLine.IFactory factory, String next) {
        CommandLine pkg = new CommandLine(PkgCommand.class, factory);
        Class<?> only = next == null ? null : SUBCOMMANDS.get(next);
        for (Class<?> c : only != null ? Set.of(only) : new LinkedHashSet<>(SUBCOMMANDS.values())) {
            pkg.addSubcommand(new CommandLine(c, factory));
        }
        return pkg;
    }

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
        return ExitCode.SUCCESS.code();
    }
}
