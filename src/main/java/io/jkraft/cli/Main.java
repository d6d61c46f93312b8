package io.jkraft.cli;

import io.jkraft.common.ExitCode;
import io.jkraft.common.Invocation;
import io.jkraft.common.UserException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParseResult;

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

    /** The commands that use the machine store. */
    private static final Set<Class<?>> MACHINE_COMMANDS = Set.of(RunCommand.class, PsCommand.class, LogsCommand.class,
            StopCommand.class, StartCommand.class, PauseCommand.class, UnpauseCommand.class, RmCommand.class,
            InspectCommand.class, ProfileCommand.class, DebugCommand.class);

    /** Subcommands by name, in the order help lists them. */
    private static final Map<String, Class<?>> COMMANDS = commands();

    /** Runs a command in this JVM's working folder with {@code environment} (tests, the AOT training). */
    static int execute(String[] args, Terminal terminal, Map<String, String> environment) {
        return execute(args, terminal, new Invocation(Path.of("").toAbsolutePath(), environment));
    }

    static int execute(String[] args, Terminal terminal, Invocation invocation) {
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
        Class<?> named = args.length > 0 ? COMMANDS.get(args[0]) : null;
        if (named != null && MACHINE_COMMANDS.contains(named) && !List.of(args).contains("--help")) {
            context.openStoreEarly();
        }
        if (named == RunCommand.class) {
            Optional<RunCommand> run = RunFastPath.parse(List.of(args).subList(1, args.length), context);
            if (run.isPresent()) {
                return runWithoutPicocli(run.get(), terminal);
            }
        }
        if (named == PkgCommand.class) {
            Optional<JkraftCommand> pkg = PkgRegistryFastPath.parse(List.of(args).subList(1, args.length), context);
            if (pkg.isPresent()) {
                return runWithoutPicocli(pkg.get(), terminal);
            }
        }
        CommandFactory factory = new CommandFactory(context);
        CommandLine cli = new CommandLine(new Main(), factory);
        if (named != null && named != CommandLine.HelpCommand.class) {
            cli.addSubcommand(args[0], commandLine(named, factory, args.length > 1 ? args[1] : null));
        } else {
            new LinkedHashSet<>(COMMANDS.values()).forEach(c -> cli.addSubcommand(commandLine(c, factory, null)));
        }
        // `pkg info` is a subcommand and `info` the default of --log-level: without this picocli refuses the default
        cli.setAllowSubcommandsAsOptionParameters(true);
        cli.setExecutionExceptionHandler(new UserErrors(terminal));
        cli.setOut(terminal.out());
        cli.setErr(terminal.err());
        return cli.execute(args);
    }

    /** A command's model; `pkg` gets only the subcommand {@code next} names, when it names one. */
    private static CommandLine commandLine(Class<?> command, CommandFactory factory, String next) {
        return command == PkgCommand.class ? PkgCommand.commandLine(factory, next) : new CommandLine(command, factory);
    }

    /** A command {@link RunFastPath} or {@link PkgRegistryFastPath} parsed, with the errors handled as picocli's handler does. */
    private static int runWithoutPicocli(JkraftCommand command, Terminal terminal) {
        try {
            return command.call();
        } catch (Exception e) {
            return new UserErrors(terminal).report(e, command.global.verbose());
        }
    }

    /** Every command name users type, aliases included (not {@code help} and the hidden training command). */
    static Set<String> commandNames() {
        Set<String> names = new LinkedHashSet<>(COMMANDS.keySet());
        names.removeAll(Set.of("help", "__train"));
        return names;
    }

    private static Map<String, Class<?>> commands() {
        Map<String, Class<?>> m = new LinkedHashMap<>();
        m.put("build", BuildCommand.class);
        m.put("fetch", FetchCommand.class);
        m.put("clean", CleanCommand.class);
        m.put("menu", MenuCommand.class);
        m.put("menuconfig", MenuCommand.class);
        m.put("pkg", PkgCommand.class);
        m.put("run", RunCommand.class);
        m.put("ps", PsCommand.class);
        m.put("logs", LogsCommand.class);
        m.put("stop", StopCommand.class);
        m.put("start", StartCommand.class);
        m.put("pause", PauseCommand.class);
        m.put("unpause", UnpauseCommand.class);
        m.put("rm", RmCommand.class);
        m.put("remove", RmCommand.class);
        m.put("inspect", InspectCommand.class);
        m.put("profile", ProfileCommand.class);
        m.put("debug", DebugCommand.class);
        m.put("login", LoginCommand.class);
        m.put("logout", LogoutCommand.class);
        m.put("help", CommandLine.HelpCommand.class);
        m.put("__train", TrainCommand.class);
        return m;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** One clear message instead of a stack trace; the trace only at --log-level debug. */
    static final class UserErrors implements IExecutionExceptionHandler {
        private final Terminal terminal;

        UserErrors(Terminal terminal) {
            this.terminal = terminal;
        }

        @Override
        public int handleExecutionException(Exception e, CommandLine cmd, ParseResult parsed) {
            boolean debug = parsed.subcommands().stream().anyMatch(p -> p.hasMatchedOption("--log-level")
                    && p.matchedOptionValue("--log-level", GlobalOptions.LogLevel.info).compareTo(GlobalOptions.LogLevel.debug) >= 0);
            return report(e, debug);
        }

        /** Prints the error; returns the exit status: ERROR for bad input, INTERNAL_ERROR for a failure of jkraft's own. */
        int report(Exception e, boolean debug) {
            PrintWriter err = terminal.err();
            if (e instanceof UserException u) {
                err.println(terminal.red("error: ") + u.getMessage());
                if (u.hint() != null) {
                    err.println("hint: " + u.hint());
                }
                if (debug) {
                    e.printStackTrace(err);
                }
                err.flush();
                return ExitCode.ERROR.code();
            }
            err.println(terminal.red("error: ") + "unexpected failure: " + e);
            if (debug) {
                e.printStackTrace(err);
            } else {
                err.println("hint: run again with --log-level debug for details, and report it");
            }
            err.flush();
            return ExitCode.INTERNAL_ERROR.code();
        }
    }

    /** The version from the jar's manifest, so it is never out of step with the build. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"jkraft " + (v == null ? "dev" : v)};
        }
    }

    /** Hands the terminal and environment to commands that want them. */
    record CommandFactory(CliContext context) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> cls) throws Exception {
            try {
                return cls.getDeclaredConstructor(CliContext.class).newInstance(context);
            } catch (NoSuchMethodException e) {
                return CommandLine.defaultFactory().create(cls);
            }
        }
    }
}
