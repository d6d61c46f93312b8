package io.jkraft.cli;

import io.jkraft.startup.Main;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code jkraft} in a JVM of its own, as a user's shell would run it, so that a test can kill it with
 * SIGKILL or interrupt it with SIGINT. Its output goes to files: a pipe nobody reads could fill up and
 * stall it, and the files keep what it printed after it died.
 */
final class Child implements AutoCloseable {
    private static final AtomicInteger COUNT = new AtomicInteger();

    private final Process process;
    private final Path out;
    private final Path err;

    private Child(Process process, Path out, Path err) {
        this.process = process;
        this.out = out;
        this.err = err;
    }

    /**
     * Starts {@code io.jkraft.startup.Main args}. {@code env --default-signal=INT} undoes an ignored SIGINT
     * inherited from a build started in the background (a non-interactive shell's {@code &} ignores it,
     * the JVM then installs no handler, and Ctrl-C could not be tested).
     */
    static Child start(Path dir, Map<String, String> env, String... args) throws IOException {
        return start(List.of(), dir, env, args);
    }

    /**
     * Like {@link #start(Path, Map, String...)}, with {@code prefix} run first, e.g. {@code ip netns exec NS} to run
     * jkraft in a network namespace of the test's, or {@code setpriv ...} to run it without a privilege.
     */
    static Child start(List<String> prefix, Path dir, Map<String, String> env, String... args) throws IOException {
        int n = COUNT.incrementAndGet();
        Path out = dir.resolve("child" + n + ".out");
        Path err = dir.resolve("child" + n + ".err");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of("env", "--default-signal=INT", java.toString(),
                "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                // A killed JVM cannot delete the native library sqlite-jdbc unpacked: keep it in the test's folder.
                "-Dorg.sqlite.tmpdir=" + dir, "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        builder.environment().clear();
        builder.environment().putAll(env);
        return new Child(builder.start(), out, err);
    }

    boolean hasExited() {
        return !process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    String out() throws IOException {
        return Files.readString(out, StandardCharsets.ISO_8859_1).replace("\r\n", "\n");
    }

    String err() throws IOException {
        return Files.readString(err, StandardCharsets.UTF_8);
    }

    /** Waits until stdout contains {@code text}; fails with what the child printed if it ends first. */
    void awaitOutput(String text) throws Exception {
        MachineCli.await("'" + text + "' from jkraft " + pid(), () -> {
            if (out().contains(text)) {
                return true;
            }
            if (!process.isAlive()) {
                throw new AssertionError("jkraft ended with " + process.exitValue() + " before printing '" + text
                        + "'\nstdout: " + out() + "\nstderr: " + err());
            }
            return false;
        });
    }

    /** Sends a signal by name (INT, KILL, STOP); the JDK can only send TERM and KILL. */
    void signal(String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill -" + name + " " + pid() + " failed");
        }
    }

    /** Like {@link #signal}, but returns false instead when the child has already ended. */
    boolean signalIfAlive(String name) throws Exception {
        if (!process.isAlive()) {
            return false;
        }
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid())).redirectErrorStream(true).start();
        kill.getInputStream().readAllBytes();
        if (kill.waitFor() == 0) {
            return true;
        }
        if (process.isAlive()) {
            throw new IllegalStateException("kill -" + name + " " + pid() + " failed");
        }
        return false;
    }

    /** Waits for the child to end and returns its exit status. */
    int awaitExit() throws Exception {
        if (!process.waitFor(MachineCli.PATIENCE.toSeconds(), TimeUnit.SECONDS)) {
            throw new AssertionError("jkraft " + pid() + " did not end\nstdout: " + out() + "\nstderr: " + err());
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
