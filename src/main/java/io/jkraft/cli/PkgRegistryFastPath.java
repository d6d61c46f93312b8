package io.jkraft.cli;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code jkraft pkg push} and {@code pkg pull}, parsed without picocli.
 *
 * <p>Building picocli's model of {@code pkg} and one subcommand took about 170 ms, a third of a pull of a
 * small image from a loopback registry. As {@link RunFastPath} does for run, this parser takes only the plain
 * forms ({@code --name value}, {@code --name=value}, {@code -m value}, {@code --no-color}, references,
 * {@code --}) and answers empty for anything else (help, an unknown or repeated option, a value starting
 * with {@code -}, an unknown log level, no reference), which picocli then parses and reports as usual.
 * {@code PkgRegistryFastPathTest} checks that both parsers agree.
 */
public final class PkgRegistryFastPath {
    private static final Set<String> PUSH_OPTIONS = Set.of("--log-level", "--no-color");
    private static final Set<String> PULL_OPTIONS = Set.of("--log-level", "--no-color", "-p", "--plat", "-m", "--arch");

    private PkgRegistryFastPath() {}

    /** Every option name the parser knows for {@code sub}, for the test that compares it with picocli's model. */
    static Set<String> optionNames(String sub) {
        return sub.equals("push") ? PUSH_OPTIONS : PULL_OPTIONS;
    }

    /** {@code pkg}'s arguments after the word {@code pkg} as a ready command, or empty when picocli must parse them. */
    /**
     * Runs {@code pkg push|pull ARGS} when this parser knows ARGS exactly, with its errors reported as picocli's
     * handler reports them; empty when picocli must parse them.
     */
    public static Optional<Integer> execute(List<String> args, CliContext context) {
        Optional<JkraftCommand> command = parse(args, context);
        if (command.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(command.get().call());
        } catch (Exception e) {
            return Optional.of(new ErrorReport(context.terminal()).report(e, command.get().global.verbose()));
        }
    }

    static Optional<JkraftCommand> parse(List<String> args, CliContext context) {
        if (args.isEmpty() || !(args.get(0).equals("push") || args.get(0).equals("pull"))) {
            return Optional.empty();
        }
        boolean pull = args.get(0).equals("pull");
        Set<String> known = optionNames(args.get(0));
        GlobalOptions global = new GlobalOptions();
        List<String> references = new ArrayList<>();
        String plat = null;
        String arch = null;
        Set<String> seen = new HashSet<>();
        for (int i = 1; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--")) {
                references.addAll(args.subList(i + 1, args.size()));
                break;
            }
            if (!arg.startsWith("-") || arg.equals("-")) {
                references.add(arg);
                continue;
            }
            int eq = arg.startsWith("--") ? arg.indexOf('=') : -1;
            String name = eq < 0 ? arg : arg.substring(0, eq);
            if (!known.contains(name) || !seen.add(canonical(name))) {
                return Optional.empty();
            }
            if (name.equals("--no-color")) {
                if (eq >= 0) {
                    return Optional.empty();
                }
                global.noColor = true;
                continue;
            }
            String value;
            if (eq >= 0) {
                value = arg.substring(eq + 1);
            } else if (i + 1 < args.size()) {
                value = args.get(++i);
            } else {
                return Optional.empty();
            }
            if (value.startsWith("-")) {
                return Optional.empty();
            }
            switch (canonical(name)) {
                case "--log-level" -> {
                    try {
                        global.logLevel = GlobalOptions.LogLevel.valueOf(value);
                    } catch (IllegalArgumentException e) {
                        return Optional.empty();
                    }
                }
                case "--plat" -> plat = value;
                default -> arch = value;
            }
        }
        if (references.isEmpty()) {
            return Optional.empty();
        }
        if (pull) {
            PkgRegistryCommand.Pull command = new PkgRegistryCommand.Pull(context);
            command.global = global;
            command.references = references;
            command.plat = plat;
            command.arch = arch;
            return Optional.of(command);
        }
        PkgRegistryCommand.Push command = new PkgRegistryCommand.Push(context);
        command.global = global;
        command.references = references;
        return Optional.of(command);
    }

    private static String canonical(String name) {
        return switch (name) {
            case "-p" -> "--plat";
            case "-m" -> "--arch";
            default -> name;
        };
    }
}
