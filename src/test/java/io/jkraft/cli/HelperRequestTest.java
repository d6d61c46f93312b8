package io.jkraft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The helper's side of a request against FIFOs with nobody, or nobody any more, on their other end: an open
 * of a FIFO waits until the other side opens it, for ever when that side has gone. Each test would hang
 * without the fix it covers; the timeouts only turn such a hang into a failure.
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
        HelperRequest.mkfifo(control);
        // Nobody ever opens it for writing: the launcher went before the helper listened.
        try (FileChannel channel = HelperRequest.openControl(control);
                BufferedReader lines = reader(channel)) {
            assertThat(lines.readLine()).isNull();
        }
    }

    @Test
    void aLaunchersSignalsAreHeardThroughTheControlFifoAndItsEndIsEndOfFile() throws Exception {
        Path control = dir.resolve("1-2.control");
        HelperRequest.mkfifo(control);
        try (RandomAccessFile launcher = new RandomAccessFile(control.toFile(), "rw");
                FileChannel channel = HelperRequest.openControl(control);
                BufferedReader lines = reader(channel)) {
            launcher.write("INT\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(lines.readLine()).isEqualTo("INT");
            launcher.close();
            assertThat(lines.readLine()).as("the launcher's end").isNull();
        }
    }

    @Test
    void aLauncherWritingToANamedFifoThatLostItsReaderIsRefusedInsteadOfWaitedFor() throws Exception {
        Path fifo = dir.resolve("out.fifo");
        HelperRequest.mkfifo(fifo);
        // The launcher's copy of stdout (descriptor 6) is the FIFO, whose only reader then goes away.
        Process launcher = launcher("exec 3<>\"$0\"; exec 6>\"$0\" 7>&2; exec 3<&-; exec sleep 600", fifo);
        assertThat(HelperRequest.namedFifo(Path.of("/proc", Long.toString(launcher.pid()), "fd", "6"))).isTrue();
        assertThat(HelperRequest.namedFifo(Path.of("/proc", Long.toString(launcher.pid()), "fd", "7")))
                .as("an anonymous pipe").isFalse();

        assertThat(serve(launcher)).isEqualTo("refused direct the standard output or error is a named FIFO");
    }

    /** Hands one request ({@code --version}) of {@code launcher} to the helper's side; returns its first answer. */
    private String serve(Process launcher) throws Exception {
        String id = "1-2";
        HelperRequest.mkfifo(dir.resolve(id + ".status"));
        HelperRequest.mkfifo(dir.resolve(id + ".control"));
        Files.write(dir.resolve(id + ".args"), "--version\0".getBytes(StandardCharsets.UTF_8));
        try (RandomAccessFile status = new RandomAccessFile(dir.resolve(id + ".status").toFile(), "rw");
                RandomAccessFile control = new RandomAccessFile(dir.resolve(id + ".control").toFile(), "rw")) {
            HelperRequest request = HelperRequest.parse(dir, id + " " + launcher.pid() + " 0 0");
            assertThat(request).isNotNull();
            request.serve(stateDir -> {
                throw new AssertionError("no machine store for --version");
            });
            return status.readLine();
        }
    }

    /** A launcher's stand-in: bash in this JVM's folder and environment, with stdout and stderr on pipes. */
    private Process launcher(String script, Path arg) throws Exception {
        Path ready = dir.resolve("ready");
        Process p = new ProcessBuilder("bash", "-c", "touch \"$1\"; " + script, arg.toString(),
                ready.toString()).start();
        launchers.add(p);
        // Ready once it runs sleep with its descriptors set up (bash made the marker just before).
        Path cmdline = Path.of("/proc", Long.toString(p.pid()), "cmdline");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!(Files.exists(ready) && new String(Files.readAllBytes(cmdline), StandardCharsets.UTF_8).startsWith("sleep"))) {
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
