package io.jkraft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jkraft.startup.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A resident helper JVM ({@code Main __serve}) and launchers made of the real client (scripts/helper-client.sh),
 * for the tests of the helper. A launcher's status tells who ran the command: 97, 98 and 99 mean the helper did not.
 */
final class HelperFixture implements AutoCloseable {
    static final Path CLIENT = Path.of("scripts/helper-client.sh").toAbsolutePath();

    private final Path dir;
    private final Path base;
    private final Path jar;
    private final Path launcher;
    private final List<Process> processes = new ArrayList<>();
    private Process helper;

    /** @param dir the test's folder: the helper's base folder, its log and the stand-in jar go there */
    HelperFixture(Path dir) throws IOException {
        this.dir = dir;
        this.base = dir.resolve("h");
        // The client compares the jar with the helper's start: an old file stands for an unchanged jar.
        this.jar = Files.writeString(dir.resolve("jkraft-cli.jar"), "");
        Files.setLastModifiedTime(jar, FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
        // A launcher as ./jkraft is one, for scripts: `"$LAUNCH" ps >>log` runs one command in a process of its own.
        this.launcher = Files.writeString(dir.resolve("launch"), """
                #!/usr/bin/env bash
                . %s
                jkraft_helper_run %s %s "$@"
                """.formatted(quote(CLIENT), quote(base), quote(jar)),
                StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwx------"));
    }

    Path base() {
        return base;
    }

    Path jar() {
        return jar;
    }

    Process helper() {
        return helper;
    }

    Path helperFolder() {
        return base.resolve("helper-" + helper.pid());
    }

    /** Starts the helper in {@code dir} with {@code env}, and waits until it serves. */
    HelperFixture start(Map<String, String> env) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "--enable-native-access=ALL-UNNAMED",
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dorg.sqlite.tmpdir=" + dir,
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "__serve",
                base.toString(), "--no-warm-up")
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("helper.log").toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        processes.add(p);
        helper = p;
        MachineCli.await("the helper to serve", () -> {
            if (!p.isAlive()) {
                throw new AssertionError("the helper ended: " + log());
            }
            return Files.exists(base.resolve("current/pid"));
        });
        return this;
    }

    String log() throws IOException {
        return Files.readString(dir.resolve("helper.log"));
    }

    /** The helper started first still serves: nothing restarted it. */
    void assertStillServing() throws IOException {
        assertThat(helper.isAlive()).as("the helper runs").isTrue();
        assertThat(Files.readString(base.resolve("current/pid")).strip()).as("the serving helper")
                .isEqualTo(Long.toString(helper.pid()));
    }

    /** One launcher for {@code jkraft ARGS}, with its stdout and stderr on pipes read by this test. */
    Launcher launch(Map<String, String> env, Path cwd, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("env", "--default-signal=INT", launcher.toString()));
        command.addAll(List.of(args));
        return start(command, env, cwd);
    }

    /**
     * A bash script, run in {@code cwd} with {@code env}, that starts launchers as {@code "$LAUNCH" ARGS...}
     * (each a process of its own, as ./jkraft is) with the redirections it likes.
     */
    Launcher script(Map<String, String> env, Path cwd, String script) throws IOException {
        return start(List.of("env", "--default-signal=INT", "LAUNCH=" + launcher, "bash", "-c", script), env, cwd);
    }

    private Launcher start(List<String> command, Map<String, String> env, Path cwd) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        processes.add(p);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        return new Launcher(p, out, err, List.of(drain(p.getInputStream(), out), drain(p.getErrorStream(), err)));
    }

    /** A launcher's process and what it wrote. */
    record Launcher(Process process, ByteArrayOutputStream out, ByteArrayOutputStream err, List<Thread> readers) {
        /** Waits for the launcher to end and for its output to be read to the end. */
        int awaitExit() throws Exception {
            if (!process.waitFor(MachineCli.PATIENCE.toSeconds(), TimeUnit.SECONDS)) {
                throw new AssertionError("the launcher did not end; out: " + stdout() + " err: " + stderr());
            }
            for (Thread reader : readers) {
                reader.join(MachineCli.PATIENCE.toMillis());
            }
            return process.exitValue();
        }

        String stdout() {
            synchronized (out) {
                return out.toString(StandardCharsets.UTF_8);
            }
        }

        String stderr() {
            synchronized (err) {
                return err.toString(StandardCharsets.UTF_8);
            }
        }
    }

    private static Thread drain(InputStream in, ByteArrayOutputStream into) {
        return Thread.ofPlatform().daemon().start(() -> {
            byte[] buffer = new byte[8192];
            try {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    synchronized (into) {
                        into.write(buffer, 0, n);
                    }
                }
            } catch (IOException e) {
                // the test closed it
            }
        });
    }

    static void signal(long pid, String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start();
        assertThat(kill.waitFor()).as("kill -%s %d", name, pid).isZero();
    }

    private static String quote(Path p) {
        return "'" + p.toString().replace("'", "'\\''") + "'";
    }

    @Override
    public void close() throws InterruptedException {
        for (Process p : processes) {
            p.destroyForcibly().waitFor();
        }
    }
}
