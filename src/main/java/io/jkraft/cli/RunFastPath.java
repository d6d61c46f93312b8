package io.jkraft.cli;

import io.jkraft.common.GdbEndpoint;
import java.nio.file.Path;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code jkraft run}'s command line, parsed without picocli.
 *
 * <p>{@code run} is measured by the time to the guest's first console line, and building picocli's model
 * of the command (reflection over the annotations, a proxy per annotation, the help sections) costs more
 * than the JVM's own start. This parser accepts only the plain forms of run's options ({@code --name
 * value}, {@code --name=value}, {@code -n value}, a flag standing alone, positionals, {@code --}) and
 * answers empty for anything else: help, clustered or attached short options, an unknown or repeated
 * option, a value that starts with {@code -}, a number or level that does not convert. picocli then parses
 * those and reports their errors as usual, so users see one behaviour. {@code RunFastPathTest} checks that
 * both parsers agree on every option and that this table names every option picocli knows.
 */
public final class RunFastPath {
    /** An option that takes a value; {@code set} answers false when the value does not convert. */
    private record Valued(List<String> names, boolean repeatable, Setter set) {}

    @FunctionalInterface
    private interface Setter {
        boolean apply(RunCommand command, String value);
    }

    private record Flag(List<String> names, Consumer<RunCommand> set) {}

    private static final List<Valued> VALUED = List.of(
            new Valued(List.of("-K", "--kraftfile"), false, (c, v) -> { c.kraftfile = Path.of(v); return true; }),
            new Valued(List.of("--plat"), false, (c, v) -> { c.plat = v; return true; }),
            new Valued(List.of("-m", "--arch"), false, (c, v) -> { c.arch = v; return true; }),
            new Valued(List.of("-t", "--target"), false, (c, v) -> { c.target = v; return true; }),
            new Valued(List.of("-n", "--name"), false, (c, v) -> { c.name = v; return true; }),
            new Valued(List.of("-M", "--memory"), false, (c, v) -> { c.memory = v; return true; }),
            new Valued(List.of("--cpus"), false, RunFastPath::cpus),
            new Valued(List.of("-a", "--kernel-arg"), true, (c, v) -> c.kernelArgs.add(v)),
            new Valued(List.of("-e", "--env"), true, (c, v) -> c.env.add(v)),
            new Valued(List.of("-p", "--port", "--publish"), true, (c, v) -> c.ports.add(v)),
            new Valued(List.of("-v", "--volume"), true, (c, v) -> c.volumes.add(v)),
            new Valued(List.of("--network"), true, (c, v) -> c.networks.add(v)),
            new Valued(List.of("--initrd"), false, (c, v) -> { c.initrd = Path.of(v); return true; }),
            new Valued(List.of("--rootfs"), false, (c, v) -> { c.rootfs = v; return true; }),
            new Valued(List.of("--accel"), false, (c, v) -> { c.accel = v; return true; }),
            new Valued(List.of("--log-level"), false, RunFastPath::logLevel));

    private static final List<Flag> FLAGS = List.of(
            new Flag(List.of("-d", "--detach"), c -> c.detach = true),
            new Flag(List.of("--rm"), c -> c.rm = true),
            new Flag(List.of("--no-start"), c -> c.noStart = true),
            new Flag(List.of("-W", "--disable-acceleration"), c -> c.noAcceleration = true),
            new Flag(List.of("--no-color"), c -> c.global.noColor = true));

    private static final Map<String, Valued> VALUED_BY_NAME = VALUED.stream()
            .flatMap(o -> o.names().stream().map(n -> Map.entry(n, o)))
            .collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, Map.Entry::getValue));
    private static final Map<String, Flag> FLAGS_BY_NAME = FLAGS.stream()
            .flatMap(o -> o.names().stream().map(n -> Map.entry(n, o)))
            .collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, Map.Entry::getValue));

    private static final String GDB = "--gdb";

    private RunFastPath() {}

    /** Every option name this parser knows, for the test that compares it with picocli's model. */
    static Set<String> optionNames() {
        return Stream.of(VALUED_BY_NAME.keySet().stream(), FLAGS_BY_NAME.keySet().stream(), Stream.of(GDB))
                .flatMap(s -> s).collect(Collectors.toUnmodifiableSet());
    }

    /** run's arguments (after the word {@code run}) as a ready command, or empty when picocli must parse them. */
    /**
     * Runs {@code run ARGS} when this parser knows ARGS exactly, with its errors reported as picocli's handler
     * reports them; empty when picocli must parse them.
     */
    public static Optional<Integer> execute(List<String> args, CliContext context) {
        Optional<RunCommand> run = parse(args, context);
        if (run.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(run.get().call());
        } catch (Exception e) {
            return Optional.of(new ErrorReport(context.terminal()).report(e, run.get().global.verbose()));
        }
    }

    static Optional<RunCommand> parse(List<String> args, CliContext context) {
        RunCommand command = new RunCommand(context);
        command.global = new GlobalOptions();
        // By identity: a record's own hashCode is bootstrapped at run time, costing `run` milliseconds.
        Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--")) {
                command.positionals.addAll(args.subList(i + 1, args.size()));
                break;
            }
            if (!arg.startsWith("-") || arg.equals("-")) {
                command.positionals.add(arg);
                continue;
            }
            int eq = arg.startsWith("--") ? arg.indexOf('=') : -1;
            String name = eq < 0 ? arg : arg.substring(0, eq);
            if (name.equals(GDB)) {
                if (!gdb(command, arg, args, i) || !seen.add(GDB)) {
                    return Optional.empty();
                }
                continue;
            }
            Flag flag = FLAGS_BY_NAME.get(name);
            if (flag != null && eq < 0 && seen.add(flag)) {
                flag.set().accept(command);
                continue;
            }
            Valued option = VALUED_BY_NAME.get(name);
            if (option == null || !(seen.add(option) || option.repeatable())) {
                return Optional.empty();
            }
            String value;
            if (eq >= 0) {
                value = arg.substring(eq + 1);
            } else if (i + 1 < args.size()) {
                value = args.get(++i);
            } else {
                return Optional.empty();
            }
            if (value.startsWith("-") || !option.set().apply(command, value)) {
                return Optional.empty();
            }
        }
        command.originalArgs = List.copyOf(args);
        return Optional.of(command);
    }

    /**
     * {@code --gdb} takes an optional value: {@code --gdb=PORT} or {@code --gdb=unix:PATH}, or {@code --gdb} alone
     * when no value follows (a value after it is for picocli's {@code RunCommand.GdbPortConsumer}; left to picocli).
     */
    private static boolean gdb(RunCommand c, String arg, List<String> args, int i) {
        if (arg.equals(GDB)) {
            if (i + 1 < args.size() && (args.get(i + 1).matches("\\d+") || GdbEndpoint.isValue(args.get(i + 1)))) {
                return false;
            }
            c.gdb = "";
            return true;
        }
        String value = arg.substring(GDB.length() + 1);
        if (!GdbEndpoint.isValue(value)) {
            return false;
        }
        c.gdb = value;
        return true;
    }

    private static boolean cpus(RunCommand c, String value) {
        if (!value.matches("\\d{1,9}")) {
            return false;
        }
        c.cpus = Integer.parseInt(value);
        return true;
    }

    private static boolean logLevel(RunCommand c, String value) {
        for (GlobalOptions.LogLevel level : GlobalOptions.LogLevel.values()) {
            if (level.name().equals(value)) {
                c.global.logLevel = level;
                return true;
            }
        }
        return false;
    }
}
