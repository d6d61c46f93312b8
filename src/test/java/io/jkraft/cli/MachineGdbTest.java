package io.jkraft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jkraft.common.Architecture;
import io.jkraft.common.GdbEndpoint;
import io.jkraft.machine.HostPorts;
import io.jkraft.machine.store.MachineRecord;
import io.jkraft.profile.gdb.GdbClient;
import io.jkraft.profile.sample.RegisterSnapshot;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * QEMU's gdbstub for jkraft's machines, with real QEMU booting {@link LifeKernel}: {@code run --gdb} and
 * {@code --gdb=PORT} record the port that {@code inspect} shows and a client reaches, and a machine started
 * without one gets one through its monitor; {@code --gdb=unix:PATH} serves it on a unix socket.
 */
@Tag("qemu")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MachineGdbTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private Path kernel;
    private MachineCli cli;
    private Path tmp;

    @BeforeAll
    void buildKernel(@TempDir Path shared) throws Exception {
        kernel = LifeKernel.build(shared);
    }

    @BeforeEach
    void isolatedState(@TempDir Path perTest) {
        cli = new MachineCli(perTest);
        tmp = perTest;
    }

    @AfterEach
    void noMachineOutlivesTheTest() throws Exception {
        cli.cleanUp();
    }

    @Test
    void runWithGdbChoosesAFreePortInspectShowsItAndAClientReadsTheIdlingVcpu() throws Exception {
        cli.ok("run", "-W", "-M", "8Mi", "-d", "--gdb", "-n", "dbg", kernel.toString(), "--", LifeKernel.IDLE);
        awaitIdling("dbg");
        int port = gdbPort(inspect("dbg"));
        assertThat(port).isBetween(1, 65535);
        try (GdbClient gdb = GdbClient.connect(port, TIMEOUT)) {
            assertThat(gdb.architecture()).isEqualTo(Architecture.X86_64);
            assertThat(gdb.threads()).containsExactly(1);
            RegisterSnapshot regs = gdb.sampleAll().get(1);
            assertThat(regs.pc()).as("in the kernel, loaded at 1 MiB").isBetween(0x100000L, 0x200000L);
            assertThat(regs.sp()).isNotZero();
        }
        // Detached on close: the machine runs on and stops as usual.
        assertThat(inspect("dbg").get("status").asText()).isEqualTo("running");
        cli.ok("stop", "dbg");
        assertThat(inspect("dbg").get("status").asText()).isEqualTo("exited");
    }

    @Test
    void runWithAGdbPortUsesThatPort() throws Exception {
        int chosen = HostPorts.freeLoopbackPort();
        cli.ok("run", "-W", "-M", "8Mi", "-d", "--gdb=" + chosen, "-n", "fixed", kernel.toString(), "--",
                LifeKernel.IDLE);
        assertThat(gdbPort(inspect("fixed"))).isEqualTo(chosen);
        try (GdbClient gdb = GdbClient.connect(chosen, TIMEOUT)) {
            assertThat(gdb.sampleAll()).containsOnlyKeys(1);
        }
    }

    @Test
    void aMachineWithoutGdbGetsAGdbstubThroughItsMonitor() throws Exception {
        cli.ok("run", "-W", "-M", "8Mi", "-d", "-n", "late", kernel.toString(), "--", LifeKernel.IDLE);
        awaitIdling("late");
        assertThat(inspect("late").get("gdb").isNull()).isTrue();
        MachineRecord opened = cli.machineService().openGdbStub("late", 0);
        int port = ((GdbEndpoint.Tcp) opened.spec().gdb()).port();
        assertThat(port).isBetween(1, 65535);
        assertThat(gdbPort(inspect("late"))).isEqualTo(port);
        try (GdbClient gdb = GdbClient.connect(port, TIMEOUT)) {
            assertThat(gdb.sampleAll().get(1).pc()).isBetween(0x100000L, 0x200000L);
        }
        assertThat(cli.machineService().openGdbStub("late", 0).spec().gdb()).as("kept").isEqualTo(new GdbEndpoint.Tcp(port));
    }

    @Test
    void runWithAUnixSocketServesTheGdbstubThereAndAStaleSocketIsReplacedAtStart() throws Exception {
        Path socket = tmp.resolve("g.sock");
        cli.ok("run", "-W", "-M", "8Mi", "-d", "--gdb=unix:" + socket, "-n", "sock", kernel.toString(), "--",
                LifeKernel.IDLE);
        awaitIdling("sock");
        assertThat(inspect("sock").get("gdb").asText()).isEqualTo("unix:" + socket);
        try (GdbClient gdb = GdbClient.connect(UnixDomainSocketAddress.of(socket), TIMEOUT)) {
            assertThat(gdb.architecture()).isEqualTo(Architecture.X86_64);
            assertThat(gdb.sampleAll().get(1).pc()).isBetween(0x100000L, 0x200000L);
        }
        MachineCli.Result second = cli.run("run", "-W", "-M", "8Mi", "-d", "--gdb=unix:" + socket, "-n", "second",
                kernel.toString(), "--", LifeKernel.IDLE);
        assertThat(second.errors()).as("QEMU itself would take the path over").singleElement().asString()
                .contains(socket + " is already in use");

        // A QEMU killed with -9 leaves its socket behind; the next start replaces it.
        cli.ok("stop", "sock");
        Files.deleteIfExists(socket);
        try (var server = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
        }
        assertThat(socket).exists();
        cli.ok("start", "sock");
        try (GdbClient gdb = GdbClient.connect(UnixDomainSocketAddress.of(socket), TIMEOUT)) {
            assertThat(gdb.sampleAll()).containsOnlyKeys(1);
        }
    }

    @Test
    void aGdbSocketInUseOrInAMissingFolderIsOneClearError() throws Exception {
        Path socket = tmp.resolve("taken.sock");
        try (var server = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            MachineCli.Result taken = cli.run("run", "-W", "-M", "8Mi", "-d", "--gdb=unix:" + socket, "-n", "t",
                    kernel.toString());
            assertThat(taken.status()).isEqualTo(1);
            assertThat(taken.errors()).singleElement().asString().contains(socket + " is already in use");
        }
        MachineCli.Result missing = cli.run("run", "-W", "-M", "8Mi", "-d", "--gdb=unix:" + tmp.resolve("no/g.sock"),
                kernel.toString());
        assertThat(missing.errors()).singleElement().asString().contains("does not exist");
        assertThat(cli.run("run", "-d", "--gdb=unix:", kernel.toString()).errors()).singleElement().asString()
                .contains("needs the path");
        assertThat(cli.machines()).isEmpty();
    }

    /** A detached run returns while TCG may still be in the firmware; the kernel is reached once it prints. */
    private void awaitIdling(String name) throws Exception {
        MachineCli.await("the guest to idle", () -> cli.ok("logs", name).console().contains(LifeKernel.IDLING));
    }

    private JsonNode inspect(String name) throws Exception {
        return new ObjectMapper().readTree(cli.ok("inspect", name).out());
    }

    private static int gdbPort(JsonNode machine) {
        String address = machine.get("gdb").asText();
        assertThat(address).startsWith("127.0.0.1:");
        return Integer.parseInt(address.substring("127.0.0.1:".length()));
    }
}
