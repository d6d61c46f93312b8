package io.jkraft.startup;

import io.jkraft.common.Invocation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the helper reads of a launcher in {@code /proc}: the working folder and environment its command runs with
 * (Java cannot take them on, so they travel as an {@link Invocation}), and what would make the command differ
 * from one run by a JVM of its own even so.
 */
final class LauncherProcess {
    /**
     * Variables read by the JVM at its start, or by a library from the JVM's own environment rather than from
     * the command's: JVM options, the time zone and the locale (the encoding of file names), and JGit's
     * (git's own configuration folder and {@code GIT_*}).
     */
    private static final Set<String> JVM_VARIABLES = Set.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS",
            "TZ", "LANG", "XDG_CONFIG_HOME");
    private static final List<String> JVM_VARIABLE_PREFIXES = List.of("LC_", "GIT_");

    private final Path proc;

    LauncherProcess(long pid) {
        this.proc = Path.of("/proc", Long.toString(pid));
    }

    /** The launcher's working folder and environment, which the command gets instead of the helper's. */
    Invocation invocation() throws IOException {
        return new Invocation(Files.readSymbolicLink(proc.resolve("cwd")),
                environment(Files.readAllBytes(proc.resolve("environ"))));
    }

    /**
     * Why the command would not run here as in a JVM of its own, or null when it would: a umask of its own
     * (a process has one, for all its threads, and every file the command made would have the helper's), or
     * another value of a variable the JVM reads for itself.
     */
    String mismatch(Map<String, String> theirs, Map<String, String> ours) throws IOException {
        if (!umask(proc).equals(umask(Path.of("/proc/self")))) {
            return "another umask";
        }
        Map<String, String> theirJvm = jvmVariables(theirs);
        Map<String, String> ourJvm = jvmVariables(ours);
        if (!theirJvm.equals(ourJvm)) {
            Set<String> differing = new TreeSet<>(theirJvm.keySet());
            differing.addAll(ourJvm.keySet());
            differing.removeIf(v -> Objects.equals(theirJvm.get(v), ourJvm.get(v)));
            return "another " + String.join(", ", differing) + " (read by the JVM itself)";
        }
        return null;
    }

    private static Map<String, String> jvmVariables(Map<String, String> env) {
        Map<String, String> jvm = new TreeMap<>();
        env.forEach((name, value) -> {
            if (JVM_VARIABLES.contains(name) || JVM_VARIABLE_PREFIXES.stream().anyMatch(name::startsWith)) {
                jvm.put(name, value);
            }
        });
        return jvm;
    }

    /**
     * Why commands of this launcher must not run here, or null: another network namespace or other effective
     * capabilities. Every machine command may make or remove network devices (a run's taps, the sweep of
     * reconciliation), which act in the namespace, and with the privilege, of the process that runs them. Such a
     * launcher runs its command in a JVM of its own, and the helper stays for the launchers of its own place.
     */
    String placeMismatch() throws IOException {
        if (!Files.readSymbolicLink(proc.resolve("ns").resolve("net"))
                .equals(Files.readSymbolicLink(Path.of("/proc/self/ns/net")))) {
            return "another network namespace";
        }
        if (!capabilities(proc).equals(capabilities(Path.of("/proc/self")))) {
            return "other capabilities";
        }
        return null;
    }

    private static String capabilities(Path proc) throws IOException {
        return Files.readAllLines(proc.resolve("status")).stream().filter(l -> l.startsWith("CapEff:")).findFirst()
                .orElse("");
    }

    private static String umask(Path proc) throws IOException {
        return Files.readAllLines(proc.resolve("status")).stream().filter(l -> l.startsWith("Umask:")).findFirst()
                .orElse("");
    }

    static Map<String, String> environment(byte[] environ) {
        Map<String, String> env = new HashMap<>();
        for (String entry : nulSeparated(environ)) {
            int eq = entry.indexOf('=');
            if (eq > 0) {
                env.put(entry.substring(0, eq), entry.substring(eq + 1));
            }
        }
        return env;
    }

    static List<String> nulSeparated(byte[] bytes) {
        List<String> parts = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                parts.add(new String(bytes, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        return parts;
    }
}
