package io.jkraft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jkraft.testing.ChainKernel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every machine command with a state folder far longer than a unix socket's path may be (107 bytes), with
 * a space, a comma and a non-ASCII letter in it, as a user's home folder can have: QEMU's monitors, the
 * console, ps, logs, inspect, pause, stop, start, profile, rm, reconciliation after kill -9 and rm --all.
 */
@Tag("qemu")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LongStatePathTest {
    private Path kernel;
    private Path chain;
    private Path root;
    private MachineCli cli;

    @BeforeAll
    void buildKernels(@TempDir Path shared) throws Exception {
        kernel = LifeKernel.build(shared);
        Path dbg = ChainKernel.build(shared.resolve("chain"), "x86_64");
        String name = dbg.getFileName().toString();
        chain = dbg.resolveSibling(name.substring(0, name.length() - ".dbg".length()));
    }

    @BeforeEach
    void stateFolderOver250Bytes(@TempDir Path perTest) {
        root = perTest.resolve("home").resolve("firstname.lastname, département d'essai")
                .resolve("a-rather-long-folder-name-".repeat(4)).resolve("and yet another level of folders ".repeat(3));
        cli = new MachineCli(root);
        assertThat(cli.stateDir().toString().getBytes(StandardCharsets.UTF_8).length).isGreaterThan(250);
    }

    @AfterEach
    void noMachineOutlivesTheTest() throws Exception {
        cli.cleanUp();
    }

    @Test
    void aForegroundRunBootsAndEnds() {
        MachineCli.Result r = cli.run("run", "-W", "-M", "8Mi", "-n", "fg", kernel.toString(), "--", "one");

        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.console()).contains("argv[1]: one", "main returned 0");
    }

    @Test
    void aDetachedMachineGoesThroughItsWholeLife() throws Exception {
        cli.ok("run", "-W", "-M", "8Mi", "-d", "-n", "life", kernel.toString(), "--", LifeKernel.IDLE);
        MachineCli.await("the guest to idle", () -> cli.ok("logs", "life").console().contains(LifeKernel.IDLING));

        assertThat(cli.machine("life").get("status").asText()).isEqualTo("running");
        assertThat(cli.machine("life").get("stateDir").asText()).startsWith(cli.stateDir().toString());
        assertThat(cli.ok("inspect", "life").out()).contains("\"running\"");
        cli.ok("pause", "life");
        assertThat(cli.machine("life").get("status").asText()).isEqualTo("paused");
        cli.ok("unpause", "life");
        cli.ok("stop", "life");
        assertThat(cli.machine("life").get("status").asText()).isEqualTo("exited");
        cli.ok("start", "life");
        MachineCli.await("the guest to idle again", () -> cli.machine("life").get("status").asText().equals("running"));
        cli.ok("rm", "-f", "life");
        assertThat(cli.machine("life")).isNull();
        assertThat(cli.processes()).isEmpty();
    }

    @Test
    void aKilledQemuIsFoundOutAndRmAllLeavesNothing() throws Exception {
        cli.ok("run", "-W", "-M", "8Mi", "-d", "-n", "k9", kernel.toString(), "--", LifeKernel.IDLE);
        cli.ok("run", "-W", "-M", "8Mi", "-d", "-n", "other", kernel.toString(), "--", LifeKernel.IDLE);
        JsonNode k9 = cli.machine("k9");
        long qemu = cli.qemuOf(k9).getFirst().pid();

        ProcessHandle.of(qemu).orElseThrow().destroyForcibly();
        MachineCli.await("ps to see QEMU gone", () -> !cli.machine("k9").get("status").asText().equals("running"));

        assertThat(cli.machine("k9").get("status").asText()).isIn("exited", "errored");
        assertThat(cli.machine("other").get("status").asText()).isEqualTo("running");
        cli.ok("rm", "--all");
        assertThat(cli.machines()).isEmpty();
        assertThat(cli.processes()).isEmpty();
        try (var left = Files.list(cli.runtimeDir())) {
            assertThat(left.toList()).isEmpty();
        }
    }

    @Test
    void profileReachesTheMonitorAndTheGdbstub() throws Exception {
        cli.ok("run", "-W", "-M", "8Mi", "-d", "-n", "hot", chain.toString());
        MachineCli.await("the chain to spin", () -> cli.ok("logs", "hot").console().contains(ChainKernel.SPINNING));
        Path out = root.resolve("profiles");

        MachineCli.Result r = cli.ok("profile", "hot", "-F", "100", "-T", "1", "-o", out.toString());

        assertThat(r.out()).contains(" Hz achieved of 100 requested");
        assertThat(Files.readString(out.resolve("hot.folded"))).contains("a;b;c");
    }

    @Test
    void aGdbSocketPathTooLongForUnixSocketsIsOneClearErrorNamingTheLimit() throws Exception {
        Path socket = root.resolve("gdb.sock");

        MachineCli.Result r = cli.run("run", "-W", "-M", "8Mi", "-d", "--gdb=unix:" + socket, kernel.toString());

        assertThat(r.status()).isNotZero();
        assertThat(r.errors()).singleElement().asString().contains(socket.toString(), "107 bytes");
        assertThat(r.err()).contains("hint: ");
        assertThat(cli.processes()).isEmpty();
    }
}
