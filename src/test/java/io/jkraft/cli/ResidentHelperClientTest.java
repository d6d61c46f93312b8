package io.jkraft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's side of the resident helper (scripts/helper-client.sh) against a helper of bash that takes
 * a command and never answers: the launcher must have a way out, where before the fix it waited for ever.
 * The client's waits are shortened through its variables, as the script allows.
 */
class ResidentHelperClientTest {
    private static final Path CLIENT = Path.of("scripts/helper-client.sh").toAbsolutePath();
    /** Takes one request, listens to its control FIFO (logging what comes) and never answers. */
    private static final String SILENT_HELPER = """
            d="$1/helper-$$"
            mkdir -p "$d" && mkfifo -m 600 "$d/requests" && exec 3<>"$d/requests"
            echo $$ >"$d/pid" && ln -s "helper-$$" "$1/current"
            read -r id rest <&3
            mv "$d/$id.args" "$d/$id.taken"
            exec 5<"$d/$id.control"
            touch "$d/claimed"
            while read -r line <&5; do echo "$line" >>"$d/control.log"; done
            exec sleep 600
            """;

    @TempDir
    Path dir;

    private Path base;
    private Path jar;
    private Process helper;
    private final List<Process> processes = new ArrayList<>();

    @BeforeEach
    void startSilentHelper() throws Exception {
        base = Files.createDirectories(dir.resolve("h"));
        // The client compares the jar with the helper's start: an old file stands for an unchanged jar.
        jar = Files.writeString(dir.resolve("jkraft-cli.jar"), "");
        Files.setLastModifiedTime(jar, FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
        helper = new ProcessBuilder("bash", "-c", SILENT_HELPER, "silent-helper", base.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("helper.log").toFile()).start();
        processes.add(helper);
        MachineCli.await("the silent helper to serve", () -> {
            assertThat(helper.isAlive()).as("the silent helper runs: %s", Files.readString(dir.resolve("helper.log")))
                    .isTrue();
            return Files.exists(base.resolve("current/pid"));
        });
    }

    @AfterEach
    void stop() throws InterruptedException {
        for (Process p : processes) {
            p.destroyForcibly().waitFor();
        }
    }

    @Test
    void aHelperThatTakesTheCommandAndNeverAnswersIsGivenUpOnNamingIt() throws Exception {
        Launcher launcher = launch("jkraft_helper_take_wait=1 jkraft_helper_answer_wait=1");
        assertThat(launcher.awaitExit()).as(launcher.stderr()).isEqualTo(3);
        assertThat(launcher.stderr()).contains("the resident helper (pid " + helper.pid() + ") took the command but did"
                + " not answer within 2 s");
        assertThat(Files.exists(base.resolve("current"), LinkOption.NOFOLLOW_LINKS))
                .as("the helper is no longer current: the next launcher starts one of its own").isFalse();
    }

    @Test
    void aSecondSignalEndsTheWaitForAHelperThatTookTheCommandAndNeverAnswers() throws Exception {
        // The default patience (30 s after the take): only the second signal can end this launcher's wait in time.
        Launcher launcher = launch("jkraft_helper_take_wait=1");
        Path folder = base.resolve("helper-" + helper.pid());
        MachineCli.await("the command to be taken", () -> Files.exists(folder.resolve("claimed")));
        signal(launcher.process().pid(), "INT");
        MachineCli.await("the first signal to be forwarded", () -> Files.exists(folder.resolve("control.log"))
                && Files.readString(folder.resolve("control.log")).contains("INT"));
        signal(launcher.process().pid(), "INT");
        assertThat(launcher.awaitExit()).as(launcher.stderr()).isEqualTo(130);
        assertThat(launcher.stderr()).contains("the resident helper (pid " + helper.pid() + ") has not ended the command");
    }

    record Launcher(Process process, ByteArrayOutputStream err, Thread reader) {
        int awaitExit() throws Exception {
            if (!process.waitFor(MachineCli.PATIENCE.toSeconds(), TimeUnit.SECONDS)) {
                throw new AssertionError("the launcher did not end; its stderr: " + stderr());
            }
            reader.join(MachineCli.PATIENCE.toMillis());
            return process.exitValue();
        }

        String stderr() {
            synchronized (err) {
                return err.toString(StandardCharsets.UTF_8);
            }
        }
    }

    /** The client's function for `jkraft ps`, with {@code settings} (shell assignments) before it. */
    private Launcher launch(String settings) throws IOException {
        Process p = new ProcessBuilder("env", "--default-signal=INT", "bash", "-c",
                ". \"$0\"; " + settings + " jkraft_helper_run \"$1\" \"$2\" ps", CLIENT.toString(), base.toString(),
                jar.toString()).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        processes.add(p);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread reader = Thread.ofPlatform().daemon().start(() -> {
            byte[] buffer = new byte[8192];
            try (InputStream in = p.getErrorStream()) {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    synchronized (err) {
                        err.write(buffer, 0, n);
                    }
                }
            } catch (IOException e) {
                // the test ended it
            }
        });
        return new Launcher(p, err, reader);
    }

    private static void signal(long pid, String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start();
        assertThat(kill.waitFor()).as("kill -%s %d", name, pid).isZero();
    }
}
