package io.jkraft.startup;

import io.jkraft.cli.CliContext;
import io.jkraft.cli.CommandFactory;
import io.jkraft.cli.ErrorReport;
import io.jkraft.cli.ExitCodeHelp;
import io.jkraft.cli.PkgCommand;
import io.jkraft.cli.PkgRegistryFastPath;
import io.jkraft.cli.RunCommand;
import io.jkraft.cli.RunFastPath;
import io.jkraft.cli.Terminal;
import io.jkraft.common.ExitCode;
import io.jkraft.common.Invocation;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;

/** The {@code jkraft} command: builds, runs and packages Unikraft unikernels, kraft-compatible. */
@Command(name = "jkraft",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Build, run and package Unikraft unikernels (compatible with KraftKit's kraft).",
        modelTransformer = ExitCodeHelp.General.class,
        footer = {"", "Examples:",
                "  jkraft build --plat qemu --arch x86_64 examples/helloworld",
                "  jkraft build --all -j4",
                "  jkraft clean --proper"})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(args, new Terminal(), Invocation.ofThisProcess()));
    }

    /** Runs a command in this JVM's working folder with {@code environment} (tests, the AOT training). */
    public static int execute(String[] args, Terminal terminal, Map<String, String> environment) {
        return execute(args, terminal, new Invocation(Path.of("").toAbsolutePath(), environment));
    }

    public static int execute(String[] args, Terminal terminal, Invocation invocation) {
        if (args.length >= 2 && args[0].equals(ResidentHelper.COMMAND)) {
            return ResidentHelper.serve(Path.of(args[1]), terminal, !List.of(args).contains("--no-warm-up"));
        }
        return execute(args, new CliContext(terminal, invocation));
    }

    static int execute(String[] args, CliContext context) {
        Terminal terminal = context.terminal();
        if (context.invocation().variable("NO_COLOR") != null) {
            terminal.disableColor();
        }
        if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
            // Answered before picocli builds its model, which costs more than the JVM's own start.
            terminal.out().println(new Version().getVersion()[0]);
            terminal.out().flush();
            return ExitCode.SUCCESS.code();
        }
        // Building the model of every command takes picocli a while (reflection, annotation proxies):
        // a run that names its command gets only that one.
        Optional<CommandTable.Entry> named = args.length > 0 ? CommandTable.find(args[0]) : Optional.empty();
        if (named.isPresent() && named.get().machineStore() && !List.of(args).contains("--help")) {
            context.openStoreEarly();
        }
        if (named.isPresent() && named.get().type() == RunCommand.class) {
            Optional<Integer> status = RunFastPath.execute(List.of(args).subList(1, args.length), context);
            if (status.isPresent()) {
                return status.get();
            }
        }
        if (named.isPresent() && named.get().type() == PkgCommand.class) {
            Optional<Integer> status = PkgRegistryFastPath.execute(List.of(args).subList(1, args.length), context);
            if (status.isPresent()) {
                return status.get();
            }
        }
        CommandFactory factory = new CommandFactory(context);
        CommandLine cli = new CommandLine(new Main(), factory);
        if (named.isPresent() && named.get().type() != CommandLine.HelpCommand.class) {
            cli.addSubcommand(args[0], commandLine(named.get().type(), factory, args.length > 1 ? args[1] : null));
        } else {
            new LinkedHashSet<>(CommandTable.ENTRIES.stream().map(CommandTable.Entry::type).toList())
                    .forEach(c -> cli.addSubcommand(commandLine(c, factory, null)));
        }
        // `pkg info` is a subcommand and `info` the default of --log-level: without this picocli refuses the default
        cli.setAllowSubcommandsAsOptionParameters(true);
        cli.setExecutionExceptionHandler(new ErrorReport(terminal));
        cli.setOut(terminal.out());
        cli.setErr(terminal.err());
        return cli.execute(args);
    }

    /** A command's model; `pkg` gets only the subcommand {@code next} names, when it names one. */
    private static CommandLine commandLine(Class<?> command, CommandFactory factory, String next) {
        return command == PkgCommand.class ? PkgCommand.commandLine(factory, next) : new CommandLine(command, factory);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The version from the jar's manifest, so it is never out of step with the build. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"jkraft " + (v == null ? "dev" : v)};
        }
    }
}
