package io.jkraft.profile.gdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jkraft.common.Architecture;
import io.jkraft.profile.sample.RegisterSnapshot;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link GdbClient} against QEMU's real gdbstub (TCG), booting {@link SpinKernel} for x86_64 and arm64. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GdbClientTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    Path scratch;

    private Process qemu;

    @AfterEach
    void stopQemu() throws InterruptedException {
        if (qemu != null) {
            qemu.destroyForcibly();
            qemu.waitFor();
        }
    }

    @Tag("qemu")
    @ParameterizedTest
    @ValueSource(strings = {"x86_64", "arm64"})
    void readsThreadsRegistersAndMemoryThatMatchTheKernel(String arch) throws Exception {
        SpinKernel kernel = SpinKernel.build(arch, scratch);
        int port = start(kernel, 2, null);
        try (GdbClient gdb = GdbClient.connect(port, TIMEOUT)) {
            assertThat(gdb.architecture()).isEqualTo(Architecture.parse(arch));
            assertThat(gdb.packetSize()).isGreaterThan(256);
            assertThat(gdb.isRunning()).as("QEMU stops the guest when a debugger connects").isFalse();
            assertThat(gdb.threads()).containsExactly(1, 2);

            RegisterSnapshot spinning = sampleUntilIn(gdb, kernel.symbol("jk_spin"), kernel.symbol("main"));
            assertThat(spinning.architecture()).isEqualTo(Architecture.parse(arch));
            assertThat(spinning.sp()).isNotZero();
            assertThat(spinning.fp()).as("frame pointer near the stack pointer")
                    .isBetween(spinning.sp() - 4096, spinning.sp() + (1 << 20));
            if (arch.equals("arm64")) {
                assertThat(spinning.lr()).as("returns into main").isBetween(kernel.symbol("main"), kernel.symbol("main") + 512);
            } else {
                assertThat(spinning.lr()).isZero();
            }

            byte[] text = kernel.textBytes(scratch);
            int length = Math.min(text.length, 40_000);
            byte[] read = gdb.readMemory(kernel.textStart(), length);
            assertThat(read).isEqualTo(Arrays.copyOf(text, length));
            assertThat(gdb.memory().read(kernel.textStart() + 3, 5)).isEqualTo(Arrays.copyOfRange(text, 3, 8));
        }
    }

    @Tag("qemu")
    @Test
    void sampledManyTimesTheGuestMakesProgressBetweenSamples() throws Exception {
        SpinKernel kernel = SpinKernel.build("x86_64", scratch);
        int port = start(kernel, 1, null);
        long counter = kernel.symbol("jk_counter");
        try (GdbClient gdb = GdbClient.connect(port, TIMEOUT)) {
            sampleUntilIn(gdb, kernel.symbol("jk_spin"), kernel.symbol("main"));
            long first = counterValue(gdb, counter);
            long previous = first;
            int samples = 300;
            long started = System.nanoTime();
            for (int i = 0; i < samples; i++) {
                gdb.resume();
                Map<Integer, RegisterSnapshot> regs = gdb.sampleAll();
                assertThat(regs).containsOnlyKeys(1);
                gdb.readMemory(regs.get(1).sp() & ~0xfffL, 64 * 1024 - 4096);
                long now = counterValue(gdb, counter);
                assertThat(now).isGreaterThanOrEqualTo(previous);
                previous = now;
            }
            double perSecond = samples / ((System.nanoTime() - started) / 1e9);
            // A figure for the report, not a threshold: stop + registers + 60 KiB + counter + resume.
            System.out.printf("gdbstub samples/s on one TCG vCPU (stop, regs, 60 KiB + 8 B read, resume): %.0f%n",
                    perSecond);
            assertThat(previous).as("the counter advanced while the guest ran between samples").isGreaterThan(first);
        }
    }

    @Tag("qemu")
    @Test
    void sampledAndResumedInOneWriteTheGuestRunsOnWithoutAResumeCall() throws Exception {
        SpinKernel kernel = SpinKernel.build("x86_64", scratch);
        int port = start(kernel, 2, null);
        long counter = kernel.symbol("jk_counter");
        byte[] text = Arrays.copyOf(kernel.textBytes(scratch), 64);
        List<GdbClient.Block> blocks = List.of(new GdbClient.Block(counter, 8),
                new GdbClient.Block(kernel.textStart(), text.length));
        try (GdbClient gdb = GdbClient.connect(port, TIMEOUT)) {
            sampleUntilIn(gdb, kernel.symbol("jk_spin"), kernel.symbol("main"));
            long first = counterValue(gdb, counter);
            long previous = first;
            for (int i = 0; i < 50; i++) {
                GdbClient.Sample sample = gdb.sampleAndResume(blocks);
                assertThat(gdb.isRunning()).as("the c went with the reads").isTrue();
                assertThat(sample.registers()).containsOnlyKeys(1, 2);
                assertThat(sample.memory().get(1)).isEqualTo(text);
                long now = littleEndian(sample.memory().get(0));
                assertThat(now).isGreaterThanOrEqualTo(previous);
                previous = now;
                Thread.sleep(2);
            }
            assertThat(previous).as("the guest ran between samples: no late ack stopped it again").isGreaterThan(first);
            Map<Integer, RegisterSnapshot> stopped = gdb.sampleAll();
            assertThat(stopped).containsOnlyKeys(1, 2);
            assertThat(counterValue(gdb, counter)).isGreaterThanOrEqualTo(previous);
        }
    }

    @Tag("qemu")
    @Test
    void aGuestThatEndsWhileSampledIsAGuestExitedExceptionNotAHang() throws Exception {
        SpinKernel kernel = SpinKernel.build("arm64", scratch);
        // Created paused (-S), so that it cannot end before the client is there; arm64 takes the first word
        // of the command line as the program's name.
        int port = start(kernel, 1, "spin " + SpinKernel.EXIT, "-S");
        GdbClient gdb = GdbClient.connect(port, TIMEOUT);
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        assertThatThrownBy(() -> {
            while (System.nanoTime() < deadline) {
                gdb.sampleAll();
                gdb.readMemory(kernel.symbol("jk_counter"), 8);
                gdb.resume();
                Thread.sleep(5);
            }
        }).isInstanceOf(GuestExitedException.class);
        assertThat(qemu.waitFor(30, TimeUnit.SECONDS)).as("QEMU exited").isTrue();
        assertThatThrownBy(gdb::sampleAll).isInstanceOf(GuestExitedException.class);
        gdb.close();
    }

    @Tag("qemu")
    @Test
    void anUnreadableAddressIsAnErrorAndTheSessionGoesOn() throws Exception {
        SpinKernel kernel = SpinKernel.build("x86_64", scratch);
        int port = start(kernel, 1, null);
        try (GdbClient gdb = GdbClient.connect(port, TIMEOUT)) {
            gdb.sampleAll();
            assertThatThrownBy(() -> gdb.readMemory(0xffff_8000_0000_0000L, 64)).isInstanceOf(GdbException.class)
                    .isNotInstanceOf(GuestExitedException.class).hasMessageContaining("0xffff800000000000");
            assertThat(gdb.readMemory(kernel.symbol("jk_spin"), 4)).hasSize(4);
            assertThatThrownBy(() -> {
                gdb.resume();
                gdb.readMemory(kernel.symbol("jk_spin"), 4);
            }).isInstanceOf(IllegalStateException.class).hasMessageContaining("stop() it first");
        }
    }

    @Test
    void aSilentPeerTimesOutInsteadOfHanging() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            long started = System.nanoTime();
            assertThatThrownBy(() -> GdbClient.connect(silent.getLocalPort(), Duration.ofMillis(300)))
                    .isInstanceOf(GdbException.class).hasMessageContaining("did not answer within 300 ms");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        }
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a hang without the fix
    void aUnixSocketThatTakesNoMoreClientsIsATimeoutNamingItNotAHang() throws Exception {
        // As QEMU's stub while a debugger holds it: listening, taking nobody, its backlog full.
        Path path = scratch.resolve("busy.sock");
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(path);
        List<SocketChannel> queued = new ArrayList<>();
        try (ServerSocketChannel busy = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            busy.bind(address, 1);
            while (true) {
                SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
                c.configureBlocking(false);
                queued.add(c);
                try {
                    c.connect(address);
                } catch (SocketException full) {
                    break;
                }
                assertThat(queued).as("the backlog fills").hasSizeLessThan(64);
            }
            assertThatThrownBy(() -> GdbClient.connect(address, Duration.ofMillis(300)))
                    .isInstanceOf(GdbException.class).hasMessageContaining("no gdbstub answers on " + path);
        } finally {
            for (SocketChannel c : queued) {
                c.close();
            }
        }
    }

    /** Resumes and samples until vCPU 1 is inside [from, to) (the spin loop), bounded in time. */
    private static RegisterSnapshot sampleUntilIn(GdbClient gdb, long from, long to) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            RegisterSnapshot r = gdb.sampleAll().get(1);
            long lo = Math.min(from, to);
            long hi = Math.max(from, to);
            if (r.pc() >= lo && r.pc() < hi) {
                return r;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("vCPU 1 never ran in [" + Long.toHexString(lo) + ", " + Long.toHexString(hi)
                        + "); last pc " + Long.toHexString(r.pc()));
            }
            gdb.resume();
            Thread.sleep(20);
        }
    }

    private static long counterValue(GdbClient gdb, long address) throws IOException {
        return littleEndian(gdb.readMemory(address, 8));
    }

    private static long littleEndian(byte[] b) {
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (b[i] & 0xff);
        }
        return v;
    }

    private int start(SpinKernel kernel, int cpus, String append, String... more) throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        List<String> cmd = new java.util.ArrayList<>(kernel.qemu(port, append));
        cmd.addAll(List.of("-smp", Integer.toString(cpus)));
        cmd.addAll(List.of(more));
        qemu = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(scratch.resolve("qemu.log").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        return port;
    }
}
