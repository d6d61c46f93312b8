package io.jkraft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jkraft.common.HostSystem;
import io.jkraft.startup.Main;
import io.jkraft.testing.ChainKernel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jkraft debug} with real gdb and QEMU: gdb on the chain fixture's .dbg, connected to the machine's
 * gdbstub (a unix socket, or a port opened through the monitor), finds the guest spinning in c (gdb itself
 * cannot unwind the fixture's frameless leaf, which the profiler can) and detaches, leaving the guest running. jkraft runs as a process of its own here, so that gdb's output can be read.
 */
@Tag("qemu")
@Tag("gdb")
class DebugCliTest {
    @TempDir
    Path tmp;
    private MachineCli cli;

    @BeforeEach
    void isolatedState() {
        String reason = HostSystem.onPath("gdb", System.getenv()).isPresent() ? null : "gdb is not installed (Debian: gdb)";
        if (reason != null && System.getenv("JKRAFT_TEST_REQUIRE_TOOLS") != null) {
            throw new IllegalStateException("JKRAFT_TEST_REQUIRE_TOOLS is set but " + reason);
        }
        Assumptions.assumeTrue(reason == null, reason);
        cli = new MachineCli(tmp.resolve("st"));
    }

    @AfterEach
    void noMachineOutlivesTheTest() throws Exception {
        if (cli != null) {
            cli.cleanUp();
        }
    }

    @Test
    void gdbShowsTheChainThroughAUnixSocketAndTheGuestRunsOn() throws Exception {
        Path kernel = chainKernel();
        Path socket = tmp.resolve("d.sock");
        cli.ok("run", "-W", "-M", "8Mi", "-d", "--gdb=unix:" + socket, "-n", "dbg", kernel.toString());
        MachineCli.await("the chain to spin", () -> cli.ok("logs", "dbg").console().contains(ChainKernel.SPINNING));

        String out = jkraft("debug", "dbg", "--", "-batch", "-ex", "bt");

        assertThat(out).contains("#0  c (", "chain.c", "detached]");
        assertThat(cli.machine("dbg").get("status").asText()).as("gdb detaches at the end").isEqualTo("running");
    }

    @Test
    void aMachineStartedWithoutGdbGetsAGdbstubForTheDebugger() throws Exception {
        Path kernel = chainKernel();
        cli.ok("run", "-W", "-M", "8Mi", "-d", "-n", "plain", kernel.toString());
        MachineCli.await("the chain to spin", () -> cli.ok("logs", "plain").console().contains(ChainKernel.SPINNING));

        assertThat(jkraft("debug", "plain", "--", "-batch", "-ex", "bt")).contains("#0  c (", "detached]");
        assertThat(cli.ok("inspect", "plain").out()).containsPattern("\"gdb\" *: *\"127\\.0\\.0\\.1:\\d+\"");
    }

    private Path chainKernel() throws Exception {
        Path dbg = ChainKernel.build(tmp.resolve("k"), "x86_64");
        String name = dbg.getFileName().toString();
        return dbg.resolveSibling(name.substring(0, name.length() - ".dbg".length()));
    }

    /** Runs jkraft in a JVM of its own with the test's state folders; its output and gdb's, and status 0. */
    private String jkraft(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        pb.environment().putAll(cli.environment());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(MachineCli.PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).as(out).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }
}
