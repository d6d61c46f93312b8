package io.jkraft.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commands the resident helper runs, with the launcher's output going where a shell sends it: a file (written
 * or appended to), a pipe (one whose reader has gone too), a named FIFO, /dev/null, a terminal. Each must come
 * out as from a JVM of its own, and the one helper serves them all.
 */
@Tag("qemu")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ResidentHelperOutputTest {
    private Path kernel;
    private MachineCli cli;
    private Path dir;
    private HelperFixture helpers;

    @BeforeAll
    void buildKernel(@TempDir Path shared) throws Exception {
        kernel = LifeKernel.build(shared);
    }

    @BeforeEach
    void startHelper(@TempDir Path perTest) throws Exception {
        dir = perTest;
        cli = new MachineCli(perTest);
        helpers = new HelperFixture(perTest).start(cli.environment());
    }

    @AfterEach
    void stop() throws Exception {
        helpers.close();
        cli.cleanUp();
    }

    /** Runs a script of launchers in the test's folder; returns its stderr when it fails. */
    private void script(String script) throws Exception {
        Map<String, String> env = new HashMap<>(cli.environment());
        env.put("KERNEL", kernel.toString());
        HelperFixture.Launcher shell = helpers.script(env, dir, script);
        assertThat(shell.awaitExit()).as("the script; its stderr: %s", shell.stderr()).isZero();
    }

    private List<String> lines(String file) throws Exception {
        return Files.readAllLines(dir.resolve(file));
    }

    @Test
    void outputToAFileIsWrittenAtTheLaunchersPositionAppendingOrNot() throws Exception {
        script("""
                "$LAUNCH" ps -a -o json >ps.json; echo "ps $?" >status
                echo first >log
                "$LAUNCH" inspect nosuch 2>>log; echo "inspect $?" >>status
                "$LAUNCH" inspect nosuch >>log 2>&1; echo "both $?" >>status
                { echo before; "$LAUNCH" ps -a; echo after; } >shared; echo "shared $?" >>status
                echo last >>log
                """);
        assertThat(lines("status")).containsExactly("ps 0", "inspect 1", "both 1", "shared 0");
        assertThat(new ObjectMapper().readTree(dir.resolve("ps.json").toFile()).isArray()).isTrue();
        List<String> log = lines("log");
        assertThat(log.getFirst()).isEqualTo("first");
        assertThat(log.getLast()).isEqualTo("last");
        assertThat(log.stream().filter(l -> l.startsWith("error: ") && l.contains("nosuch")).count())
                .as("both errors appended, in order, nothing overwritten: %s", log).isEqualTo(2);
        List<String> shared = lines("shared");
        assertThat(shared.getFirst()).isEqualTo("before");
        assertThat(shared.getLast()).as("the shell's write after the command's lands after it").isEqualTo("after");
        assertThat(shared).hasSizeGreaterThan(2);
        helpers.assertStillServing();
    }

    @Test
    void aPipeWhoseReaderHasGoneEndsTheRunWith141AndStopsTheMachine() throws Exception {
        script("""
                "$LAUNCH" run -W -M 8Mi -n piped "$KERNEL" -- idle | true; echo "${PIPESTATUS[0]}" >status
                "$LAUNCH" ps -a | head -1 >first; echo "${PIPESTATUS[0]}" >>status
                """);
        assertThat(lines("status")).containsExactly("141", "0");
        assertThat(cli.machine("piped").get("status").asText()).isEqualTo("exited");
        assertThat(cli.processes()).as("no QEMU left running unread").isEmpty();
        assertThat(lines("first")).hasSize(1);
        helpers.assertStillServing();
    }

    @Test
    void aForegroundRunsConsoleReachesAPipeWhole() throws Exception {
        script("""
                "$LAUNCH" run -W -M 8Mi --rm "$KERNEL" -- one "two words" | cat >console; echo "${PIPESTATUS[0]}" >status
                """);
        assertThat(lines("status")).containsExactly("0");
        assertThat(Files.readString(dir.resolve("console"))).contains("life app: 2 arguments", "argv[2]: two words");
        helpers.assertStillServing();
    }

    @Test
    void aNamedFifoWhoseReaderHasGoneAndDevNullDoNotHoldTheLauncher() throws Exception {
        // The helper opens the FIFO again through /proc, and an open for writing only would wait for a reader.
        script("""
                mkfifo out.fifo
                exec 3<>out.fifo; "$LAUNCH" ps >out.fifo 3<&- & launcher=$!; exec 3<&-
                wait "$launcher"; echo "fifo $?" >status
                "$LAUNCH" ps >/dev/null 2>&1; echo "null $?" >>status
                """);
        assertThat(lines("status")).containsExactly("fifo 0", "null 0");
        helpers.assertStillServing();
    }

    @Test
    void aTerminalIsTheLaunchersOwn() throws Exception {
        assumeTrue(io.jkraft.common.HostSystem.onPath("script", cli.environment()).isPresent(),
                "needs script (util-linux) for a terminal");
        cli.ok("run", "-W", "-M", "8Mi", "--no-start", "-n", "onterm", kernel.toString());
        // script gives the launcher a pseudo-terminal as stdin, stdout and stderr, and copies what it shows here.
        script("""
                script -qec '"$LAUNCH" ps -a; echo "status $?"' /dev/null >typescript
                """);
        String shown = Files.readString(dir.resolve("typescript"));
        assertThat(shown).contains("onterm", "status 0");
        helpers.assertStillServing();
    }
}
