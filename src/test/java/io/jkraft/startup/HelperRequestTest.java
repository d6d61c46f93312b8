package io.jkraft.startup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The helper's side of a request against FIFOs and pipes with nobody, or nobody any more, on their other end:
 * an open of a FIFO waits until the other side opens it, for ever when that side has gone. Each of those tests
 * would hang without the fix it covers; the timeouts only turn such a hang into a failure. Then what the
 * helper refuses to serve, and why.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HelperRequestTest {
    @TempDir
    Path dir;

    private final List<Process> launchers = new ArrayList<>();

    @AfterEach
    void endLaunchers() throws InterruptedException {
        for (Process p : launchers) {
            p.destroyForcibly().waitFor();
        }
    }

    @Test
    void theControlFifoOfALauncherThatIsGoneReadsAsEndOfFileInsteadOfWaiting() throws Exception {
        Path control = dir.resolve("1-2.control");
        Fifo.make(control);
        // Nobody ever opens it for writing: the launcher went before the helper listened.
        try (FileChannel channel = Fifo.openForReading(control);
                BufferedReader lines = reader(channel)) {
            assertThat(lines.readLine()).isNull();
        }
    }

    @Test
    void aLaunchersSignalsAreHeardThroughTheControlFifoAndItsEndIsEndOfFile() throws Exception {
        Path control = dir.resolve("1-2.control");
        Fifo.make(control);
        try (RandomAccessFile launcher = new RandomAccessFile(control.toFile(), "rw");
                FileChannel channel = Fifo.openForReading(control);
                BufferedReader lines = reader(channel)) {
            launcher.write("INT\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(lines.readLine()).isEqualTo("INT");
            launcher.close();
            assertThat(lines.readLine()).as("the launcher's end").isNull();
        }
    }

    @Test
    void aLaunchersPipeOrFifoWhoseReaderHasGoneOpensAtOnceAndAWriteFailsAsOnAClosedPipe() throws Exception {
        Path fifo = dir.resolve("out.fifo");
        Fifo.make(fifo);
        // Descriptor 6 is a named FIFO whose only reader then goes away, 7 an anonymous pipe nobody reads any more.
        Process launcher = launcher("exec 3<>\"$0\"; exec 6>\"$0\" 7> >(exec 0<&-); exec 3<&-; sleep 0.2; exec sleep 600",
                fifo);
        for (String fd : List.of("6", "7")) {
            try (FileOutputStream out = Fifo.openForWriting(Path.of("/proc", Long.toString(launcher.pid()), "fd", fd))) {
                assertThatThrownBy(() -> out.write('x')).as("descriptor %s", fd).isInstanceOf(IOException.class)
                        .hasMessageContaining("Broken pipe");
            }
        }
    }

    @Test
    void aCommandTheHelperDoesNotServeIsLeftToTheLauncher() throws Exception {
        assertThat(serve(launcher("exec sleep 600", dir), "build", "--help"))
                .isEqualTo("refused direct the resident helper does not serve this command");
        assertThat(serve(launcher("exec sleep 600", dir), "--version"))
                .isEqualTo("refused direct the resident helper does not serve this command");
    }

    @Test
    void aLauncherWithAUmaskOrJvmVariablesOfItsOwnGetsAHelperOfItsOwn() throws Exception {
        assertThat(serve(launcher("umask 077; exec sleep 600", dir), "ps")).isEqualTo("refused restart another umask");
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("TZ", "Pacific/Auckland");
        env.put("LC_TIME", "C");
        env.remove("JAVA_TOOL_OPTIONS");
        assertThat(serve(launcher(env, "exec sleep 600", dir), "ps")).startsWith("refused restart another ")
                .contains("TZ").endsWith("(read by the JVM itself)");
    }

    @Test
    void theLaunchersWorkingFolderAndEnvironmentAreWhatTheCommandGets() throws Exception {
        Path elsewhere = Files.createDirectories(dir.resolve("else where"));
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("JKRAFT_ORIGIN_BASE", "file:///srv/mirror");
        Process launcher = launcher(env, "cd \"$0\"; exec sleep 600", elsewhere);
        LauncherProcess process = new LauncherProcess(launcher.pid());
        var invocation = process.invocation();
        assertThat(invocation.workingDir()).isEqualTo(elsewhere);
        assertThat(invocation.variable("JKRAFT_ORIGIN_BASE")).isEqualTo("file:///srv/mirror");
        assertThat(process.mismatch(invocation.environment(), System.getenv())).as("served: no JVM-level difference")
                .isNull();
    }

    /** Hands one request of {@code launcher} to the helper's side; returns its first answer. */
    private String serve(Process launcher, String... args) throws Exception {
        String id = "1-" + launchers.size();
        Fifo.make(dir.resolve(id + ".status"));
        Fifo.make(dir.resolve(id + ".control"));
        Files.write(dir.resolve(id + ".args"), (String.join("\0", args) + "\0").getBytes(StandardCharsets.UTF_8));
        try (RandomAccessFile status = new RandomAccessFile(dir.resolve(id + ".status").toFile(), "rw");
                RandomAccessFile control = new RandomAccessFile(dir.resolve(id + ".control").toFile(), "rw")) {
            HelperRequest request = HelperRequest.parse(dir, id + " " + launcher.pid() + " p p");
            assertThat(request).isNotNull();
            request.serve(stateDir -> {
                throw new AssertionError("no machine store for a refused request");
            });
            return status.readLine();
        }
    }

    private Process launcher(String script, Path arg) throws Exception {
        return launcher(System.getenv(), script, arg);
    }

    /** A launcher's stand-in: bash with {@code env}, stdout and stderr on pipes, ready once it runs sleep. */
    private Process launcher(Map<String, String> env, String script, Path arg) throws Exception {
        Path ready = dir.resolve("ready-" + launchers.size());
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", "touch \"$1\"; " + script, arg.toString(), ready.toString());
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        launchers.add(p);
        Path cmdline = Path.of("/proc", Long.toString(p.pid()), "cmdline");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!(Files.exists(ready) && new String(Files.readAllBytes(cmdline), StandardCharsets.UTF_8).startsWith("sleep\u0000600"))) {
            assertThat(p.isAlive()).as("the launcher's stand-in runs").isTrue();
            assertThat(System.nanoTime()).as("the launcher's stand-in to be ready").isLessThan(deadline);
            Thread.sleep(10);
        }
        return p;
    }

    private static BufferedReader reader(FileChannel channel) {
        return new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.US_ASCII));
    }
}
