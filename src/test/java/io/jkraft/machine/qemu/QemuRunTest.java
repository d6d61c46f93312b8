package io.jkraft.machine.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jkraft.common.Invocation;
import io.jkraft.common.UserException;
import io.jkraft.machine.api.MachineExit;
import io.jkraft.machine.api.MachineExit.Outcome;
import io.jkraft.machine.api.MachineSpec;
import io.jkraft.machine.api.MachineSpec.PortMapping;
import io.jkraft.machine.api.MachineSpec.VolumeMapping;
import io.jkraft.testing.QemuBoot;
import java.io.ByteArrayOutputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Boots the fixture kernels in real QEMU through the launcher, detached and in the foreground. */
@Tag("qemu")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QemuRunTest {

    private static final Duration BOOT = Duration.ofSeconds(60);

    private Path tmp;
    private FixtureKernels kernels;
    private QemuDriver launcher;
    private final List<QemuProcess> started = new ArrayList<>();

    @BeforeAll
    void buildOnce(@TempDir Path shared) {
        kernels = new FixtureKernels(shared.resolve("kernels"));
        launcher = new QemuDriver(new AcceleratorProbe(shared.resolve("cache")), Invocation.ofThisProcess());
    }

    @BeforeEach
    void freshFolder(@TempDir Path perTest) {
        tmp = perTest;
    }

    @AfterEach
    void stopLeftovers() throws Exception {
        for (QemuProcess p : started) {
            if (p.isRunning()) {
                p.stop(Duration.ofSeconds(5));
            }
        }
        started.clear();
    }

    private Path kernel(String arch) throws Exception {
        assumeTrue(QemuBoot.available(arch), () -> QemuBoot.unavailableReason(arch));
        return kernels.kernel(arch);
    }

    private QemuProcess start(MachineSpec spec, boolean paused) throws Exception {
        QemuProcess process = launcher.start(launcher.plan(spec, tmp.resolve("state-" + spec.name()), paused));
        started.add(process);
        return process;
    }

    private static String foreground(QemuProcess process, List<MachineExit> exit) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        exit.add(process.follow(out));
        return out.toString(StandardCharsets.ISO_8859_1).replace("\r\n", "\n");
    }

    @Test
    void x86ForegroundRunShowsArgumentsEnvironmentAndPowersOff() throws Exception {
        MachineSpec spec = FixtureKernels.withArgs(FixtureKernels.spec("fg86", kernel("x86_64"), "x86_64"),
                List.of("loglevel=3"), List.of("one", "two three", "it's"), Map.of("GREETING", "hi there"));
        QemuProcess process = start(spec, false);
        List<MachineExit> exit = new ArrayList<>();

        String console = foreground(process, exit);

        assertThat(console.lines()).containsSubsequence("Hello from fixture app", "argv[1]: one",
                "argv[2]: two three", "argv[3]: it's", "main returned 0");
        assertThat(console).containsPattern(
                "cmdline: \\S*hello_qemu-x86_64 loglevel=3 env.vars=\\[ \"GREETING=hi there\" \\] -- one \"two three\" \"it's\"\n");
        assertThat(exit.getFirst().outcome()).isEqualTo(Outcome.POWERED_OFF);
        assertThat(exit.getFirst().vmmExitCode()).isZero();
        assertThat(process.state().exitCodeFile()).hasContent("0");
        assertThat(process.isRunning()).isFalse();
    }

    @Test
    void arm64ForegroundRunGetsItsProgramNameFirst() throws Exception {
        // Arguments alone, without a "--" to lean on: the kernel file name in front must be taken as argv[0].
        MachineSpec spec = FixtureKernels.withArgs(FixtureKernels.spec("fgarm", kernel("arm64"), "arm64"),
                List.of(), List.of("a b", "c"), Map.of());
        List<MachineExit> exit = new ArrayList<>();

        String console = foreground(start(spec, false), exit);

        assertThat(console).contains("cmdline: hello_qemu-arm64 \"a b\" c\n");
        assertThat(console.lines()).containsSubsequence("argv[1]: a b", "argv[2]: c", "main returned 0")
                .doesNotContain("argv[3]: c");
        assertThat(exit.getFirst().outcome()).isEqualTo(Outcome.POWERED_OFF);
    }

    @Test
    void detachedPausedMachineAnswersQmpRunsOnContAndRecordsItsExit() throws Exception {
        QemuProcess process = start(FixtureKernels.spec("paused", kernel("x86_64"), "x86_64"), true);

        assertThat(process.isRunning()).isTrue();
        assertThat(process.pid()).isPositive();
        assertThat(process.state().pidFile()).hasContent(Long.toString(process.pid()));
        try (QmpClient qmp = process.qmp()) {
            assertThat(qmp.queryStatus()).isEqualTo("prelaunch");
            qmp.cont();
        }
        MachineExit exit = process.awaitExit(BOOT).orElseThrow();

        assertThat(exit.outcome()).isEqualTo(Outcome.POWERED_OFF);
        assertThat(process.state().exitCodeFile()).hasContent("0");
        assertThat(Files.readString(process.state().consoleLog())).contains("main returned 0");
        assertThat(ProcessHandle.of(process.pid()).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(process.stop(Duration.ofSeconds(1)).outcome()).as("stopping an ended machine").isEqualTo(Outcome.POWERED_OFF);
    }

    @Test
    void stopQuitsQemuAndReadsAsStopped() throws Exception {
        QemuProcess process = start(FixtureKernels.spec("stopme", kernel("x86_64"), "x86_64"), true);

        MachineExit exit = process.stop(Duration.ofSeconds(5));

        assertThat(exit.outcome()).isEqualTo(Outcome.STOPPED);
        assertThat(exit.success()).isTrue();
        assertThat(process.isRunning()).isFalse();
        var hints = new GuestConsoleHints.Context(true, 8L << 20, process.state().consoleLog());
        assertThat(QemuProcess.attach(process.state(), hints).exit()).hasValueSatisfying(
                e -> assertThat(e.outcome()).isEqualTo(Outcome.STOPPED));
    }

    @Test
    void publishedPortShowsInUserNetForwarding() throws Exception {
        int hostPort;
        try (ServerSocket free = new ServerSocket(0)) {
            hostPort = free.getLocalPort();
        }
        MachineSpec spec = FixtureKernels.withDevices(FixtureKernels.spec("ports", kernel("x86_64"), "x86_64"),
                List.of(new PortMapping("127.0.0.1", hostPort, 80, "tcp")), List.of(), null);
        QemuProcess process = start(spec, true);

        try (QmpClient qmp = process.qmp()) {
            assertThat(qmp.humanMonitor("info usernet")).containsPattern(
                    "TCP\\[HOST_FORWARD\\]\\s+\\d+\\s+127\\.0\\.0\\.1\\s+" + hostPort + "\\s+10\\.0\\.2\\.15\\s+80\\b");
            assertThat(qmp.humanMonitor("info qtree")).contains("dev: virtio-net-pci");
        }
    }

    @Test
    void volumesAndInitrdAreAttachedAndMountedFromTheCommandLine() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        Path ro = Files.createDirectories(tmp.resolve("read only"));
        Path initrd = Files.write(tmp.resolve("initrd.cpio"), "070701".getBytes(StandardCharsets.US_ASCII));
        MachineSpec spec = FixtureKernels.withDevices(FixtureKernels.spec("vols", kernel("x86_64"), "x86_64"),
                List.of(), List.of(new VolumeMapping(data, "/data", false), new VolumeMapping(ro, "/etc/ro", true)),
                initrd);
        QemuProcess process = start(spec, true);

        try (QmpClient qmp = process.qmp()) {
            String qtree = qmp.humanMonitor("info qtree");
            assertThat(qtree).contains("dev: virtio-9p-device").contains("mount_tag = \"fs0\"", "mount_tag = \"fs1\"");
            qmp.cont();
        }
        MachineExit exit = process.awaitExit(BOOT).orElseThrow();

        assertThat(exit.outcome()).as(exit.detail()).isEqualTo(Outcome.POWERED_OFF);
        assertThat(Files.readString(process.state().consoleLog())).contains("vfs.fstab=[ \"initrd0:/:extract::ramfs=1:\""
                + " \"fs0:/data:9pfs:::mkmp\" \"fs1:/etc/ro:9pfs:::mkmp\" ]");
    }

    @Test
    void qemuRefusingToStartReportsItsOwnMessage() throws Exception {
        kernel("x86_64");
        MachineSpec spec = FixtureKernels.spec("broken", tmp.resolve("no-such-kernel"), "x86_64");

        assertThatThrownBy(() -> start(spec, false)).isInstanceOf(UserException.class)
                .hasMessageContaining("QEMU refused to start").hasMessageContaining("no-such-kernel");
    }
}
