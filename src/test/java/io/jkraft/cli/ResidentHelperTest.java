package io.jkraft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jkraft.common.ExitCode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The resident helper with its real client: a helper JVM ({@code Main __serve}) and the launcher's bash
 * functions (scripts/helper-client.sh) talking through FIFOs, with real QEMU for the foreground runs.
 * The client's status tells who ran the command: 97, 98 and 99 mean the helper did not.
 */
@Tag("qemu")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ResidentHelperTest {
    private static final Path CLIENT = Path.of("scripts/helper-client.sh").toAbsolutePath();

    private Path kernel;
    private MachineCli cli;
    private Path dir;
    private Path base;
    private Path jar;
    private Process helper;
    private final List<Process> clients = new ArrayList<>();

    @BeforeAll
    void buildKernel(@TempDir Path shared) throws Exception {
        kernel = LifeKernel.build(shared);
    }

    @BeforeEach
    void startHelper(@TempDir Path perTest) throws Exception {
        dir = perTest;
        cli = new MachineCli(perTest);
        base = perTest.resolve("h");
        // The client compares the jar with the helper's start: an old file stands for an unchanged jar.
        jar = Files.writeString(perTest.resolve("jkraft-cli.jar"), "");
        Files.setLastModifiedTime(jar, FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
        helper = startHelper(cli.environment());
    }

    @AfterEach
    void stop() throws Exception {
        clients.forEach(Process::destroyForcibly);
        helper.destroyForcibly().waitFor();
        cli.cleanUp();
    }

    private Process startHelper(Map<String, String> env) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "--enable-native-access=ALL-UNNAMED",
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dorg.sqlite.tmpdir=" + dir,
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), ResidentHelper.COMMAND,
                base.toString(), "--no-warm-up")
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("helper.log").toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        MachineCli.await("the helper to serve", () -> {
            if (!p.isAlive()) {
                throw new AssertionError("the helper ended: " + Files.readString(dir.resolve("helper.log")));
            }
            return Files.exists(base.resolve("current/pid"));
        });
        return p;
    }

    /** A launcher's side, with its output on pipes (a file would be refused: see the client). */
    record Client(Process process, ByteArrayOutputStream out, ByteArrayOutputStream err, List<Thread> readers) {
        /** Waits for the launcher to end and for its output to be read to the end (the helper's copy too). */
        int awaitExit() throws Exception {
            if (!process.waitFor(MachineCli.PATIENCE.toSeconds(), TimeUnit.SECONDS)) {
                throw new AssertionError("the client did not end; out: " + stdout() + " err: " + stderr());
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

    private Client client(Map<String, String> env, Path cwd, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("env", "--default-signal=INT", "bash", "-c",
                ". \"$0\"; jkraft_helper_run \"$1\" \"$2\" \"${@:3}\"", CLIENT.toString(), base.toString(),
                jar.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        clients.add(p);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        return new Client(p, out, err, List.of(drain(p.getInputStream(), out), drain(p.getErrorStream(), err)));
    }

    private Client client(String... args) throws IOException {
        return client(cli.environment(), dir, args);
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

    @Test
    void aServedCommandPrintsOnTheLaunchersOutputAndEndsWithItsStatus() throws Exception {
        Client ps = client("ps", "-a", "-o", "json");
        assertThat(ps.awaitExit()).as(ps.stderr()).isZero();
        assertThat(new ObjectMapper().readTree(ps.stdout()).isArray()).isTrue();

        Client inspect = client("inspect", "nosuch");
        assertThat(inspect.awaitExit()).isEqualTo(1);
        assertThat(inspect.stderr()).contains("error: ").contains("nosuch");
        assertThat(inspect.stdout()).isEmpty();
        MachineCli.await("the request files to go", () -> {
            try (var files = Files.list(helperFolder())) {
                return files.map(f -> f.getFileName().toString()).sorted().toList().equals(List.of("pid", "requests"));
            }
        });
    }

    @Test
    void everyQuickCommandDeliversItsWholeOutput() throws Exception {
        // The request line is written with bash's stdout pointed at the helper's FIFO for a moment; a helper
        // that opened the launcher's stdout in that moment wrote the output into its own FIFO (seen in about
        // one command in five, more with a machine running).
        cli.ok("run", "-W", "-M", "8Mi", "-d", "-n", "busy", kernel.toString(), "--", LifeKernel.IDLE);
        for (int i = 0; i < 25; i++) {
            Client ps = client("ps", "-a", "-o", "json");
            assertThat(ps.awaitExit()).as(ps.stderr()).isZero();
            assertThat(ps.stdout()).as("command %d's output", i).contains("\"busy\"");
        }
    }

    @Test
    void anotherEnvironmentOrFolderIsRefusedSoTheLauncherRunsItItself() throws Exception {
        Map<String, String> other = new HashMap<>(cli.environment());
        other.put("JKRAFT_SOMETHING", "else");
        Client env = client(other, dir, "ps");
        assertThat(env.awaitExit()).isEqualTo(98);
        assertThat(env.stdout()).isEmpty();

        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        Client cwd = client(cli.environment(), elsewhere, "ps");
        assertThat(cwd.awaitExit()).isEqualTo(98);
    }

    @Test
    void jkraftsOwnFoldersComeFromTheRequest() throws Exception {
        MachineCli second = new MachineCli(Files.createDirectories(dir.resolve("second")));
        try {
            second.ok("run", "-W", "-M", "8Mi", "--no-start", "-n", "only-in-second", kernel.toString());
            Map<String, String> env = new HashMap<>(cli.environment());
            env.put("XDG_STATE_HOME", second.environment().get("XDG_STATE_HOME"));
            Client ps = client(env, dir, "ps", "-a", "-o", "json");
            assertThat(ps.awaitExit()).as(ps.stderr()).isZero();
            assertThat(ps.stdout()).contains("only-in-second");
            Client own = client("ps", "-a", "-o", "json");
            assertThat(own.awaitExit()).isZero();
            assertThat(own.stdout()).doesNotContain("only-in-second");
        } finally {
            second.cleanUp();
        }
    }

    @Test
    void ctrlCStopsAForegroundRunAsItsOwnJvmWould() throws Exception {
        Client run = client("run", "-W", "-M", "8Mi", "-n", "fg", kernel.toString(), "--", "arg two", LifeKernel.IDLE);
        MachineCli.await("the guest to idle", () -> run.stdout().contains(LifeKernel.IDLING));
        assertThat(run.stdout()).contains("argv[1]: arg two");
        signal(run.process().pid(), "INT");
        assertThat(awaitExitOrExplain(run)).isEqualTo(ExitCode.INTERRUPTED.code());
        JsonNode fg = cli.machine("fg");
        assertThat(fg.get("status").asText()).isNotEqualTo("running");
        assertThat(cli.qemuOf(fg)).isEmpty();
    }

    @Test
    void aKilledLauncherLeavesItsMachineRunningAndRemovable() throws Exception {
        Client run = client("run", "-W", "-M", "8Mi", "-n", "orphan", kernel.toString(), "--", LifeKernel.IDLE);
        MachineCli.await("the guest to idle", () -> run.stdout().contains(LifeKernel.IDLING));
        signal(run.process().pid(), "KILL");
        run.process().waitFor();
        assertThat(cli.machine("orphan").get("status").asText()).isEqualTo("running");
        Client rm = client("rm", "-f", "orphan");
        assertThat(rm.awaitExit()).as(rm.stderr()).isZero();
        assertThat(rm.stdout()).contains("orphan");
        assertThat(cli.machine("orphan")).isNull();
    }

    @Test
    void withoutALiveHelperNothingRuns() throws Exception {
        helper.destroyForcibly().waitFor();
        Client ps = client("ps");
        assertThat(ps.awaitExit()).isEqualTo(99);
        assertThat(ps.stdout()).isEmpty();
    }

    @Test
    void aRequestNobodyTakesIsCancelledNotRunLater() throws Exception {
        // The helper stops reading (SIGSTOP): the launcher gives up, and the helper, once resumed, finds
        // the request cancelled instead of running it behind the launcher's back.
        signal(helper.pid(), "STOP");
        try {
            Client rm = client("run", "-W", "-M", "8Mi", "--no-start", "-n", "late", kernel.toString());
            assertThat(rm.awaitExit()).isEqualTo(99);
        } finally {
            signal(helper.pid(), "CONT");
        }
        Client ps = client("ps", "-a", "-o", "json");
        assertThat(ps.awaitExit()).isZero();
        assertThat(ps.stdout()).doesNotContain("late");
        MachineCli.await("the cancelled request to be cleaned up", () -> {
            try (var files = Files.list(helperFolder())) {
                return files.noneMatch(f -> f.getFileName().toString().contains("."));
            }
        });
    }

    @Test
    void ctrlCBeforeTheHelperClaimsTheCommandCancelsIt() throws Exception {
        signal(helper.pid(), "STOP");
        try {
            Client run = client("run", "-W", "-M", "8Mi", "--no-start", "-n", "never", kernel.toString());
            MachineCli.await("the request to be sent", () -> {
                try (var files = Files.list(helperFolder())) {
                    return files.anyMatch(f -> f.getFileName().toString().endsWith(".args"));
                }
            });
            signal(run.process().pid(), "INT");
            assertThat(run.awaitExit()).isEqualTo(130);
        } finally {
            signal(helper.pid(), "CONT");
        }
        Client ps = client("ps", "-a", "-o", "json");
        assertThat(ps.awaitExit()).isZero();
        assertThat(ps.stdout()).doesNotContain("never");
    }

    @Test
    void outputToAFileStaysWithTheLauncher() throws Exception {
        Path out = dir.resolve("out.txt");
        ProcessBuilder pb = new ProcessBuilder("bash", "-c",
                ". \"$0\"; jkraft_helper_run \"$1\" \"$2\" ps", CLIENT.toString(), base.toString(), jar.toString())
                .directory(dir.toFile()).redirectOutput(out.toFile()).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().putAll(cli.environment());
        assertThat(pb.start().waitFor()).isEqualTo(97);
        assertThat(Files.readString(out)).isEmpty();
    }

    @Test
    void outputToANamedFifoWhoseReaderHasGoneStaysWithTheLauncherInsteadOfHangingIt() throws Exception {
        // The helper would open the FIFO again through /proc, and an open for writing waits for a reader.
        Path fifo = dir.resolve("out.fifo");
        HelperRequest.mkfifo(fifo);
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", "exec 3<>\"$3\"; exec >\"$3\"; exec 3<&-; "
                + ". \"$0\"; jkraft_helper_run \"$1\" \"$2\" ps", CLIENT.toString(), base.toString(), jar.toString(),
                fifo.toString()).directory(dir.toFile());
        pb.environment().clear();
        pb.environment().putAll(cli.environment());
        Process launcher = pb.start();
        clients.add(launcher);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread reader = drain(launcher.getErrorStream(), err);
        assertThat(launcher.waitFor(MachineCli.PATIENCE.toSeconds(), TimeUnit.SECONDS))
                .as("the launcher ends; its stderr: %s", err).isTrue();
        reader.join(MachineCli.PATIENCE.toMillis());
        assertThat(launcher.exitValue()).as("not for the helper: the launcher runs it; stderr: %s", err).isEqualTo(97);
        MachineCli.await("the request files to go", () -> {
            try (var files = Files.list(helperFolder())) {
                return files.noneMatch(f -> f.getFileName().toString().contains("."));
            }
        });
    }

    /** The client's status; when it does not end, the failure shows what the helper was doing. */
    private int awaitExitOrExplain(Client client) throws Exception {
        try {
            return client.awaitExit();
        } catch (AssertionError e) {
            Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
            Process dump = new ProcessBuilder(jcmd.toString(), Long.toString(helper.pid()), "Thread.print")
                    .redirectErrorStream(true).start();
            String threads = new String(dump.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            long pid = client.process().pid();
            StringBuilder state = new StringBuilder();
            for (String f : List.of("wchan", "stack", "status")) {
                try {
                    state.append(f).append(": ").append(Files.readString(Path.of("/proc/" + pid + "/" + f))).append('\n');
                } catch (IOException x) {
                    state.append(f).append(": ").append(x).append('\n');
                }
            }
            try (var fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
                for (Path fd : fds.toList()) {
                    state.append("fd ").append(fd.getFileName()).append(" -> ").append(Files.readSymbolicLink(fd)).append('\n');
                }
            } catch (IOException x) {
                state.append(x);
            }
            Process children = new ProcessBuilder("ps", "-o", "pid,ppid,stat,args", "--ppid", Long.toString(pid))
                    .redirectErrorStream(true).start();
            state.append(new String(children.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            throw new AssertionError(e.getMessage() + "\nclient: " + state + "\nhelper log: " + Files.readString(dir.resolve("helper.log"))
                    + "\nhelper threads:\n" + threads, e);
        }
    }

    private Path helperFolder() {
        return base.resolve("helper-" + helper.pid());
    }

    private static void signal(long pid, String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start();
        assertThat(kill.waitFor()).as("kill -%s %d", name, pid).isZero();
    }
}
