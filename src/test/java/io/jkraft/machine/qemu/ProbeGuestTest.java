package io.jkraft.machine.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.jkraft.common.Architecture;
import io.jkraft.common.HostSystem;
import java.io.File;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The probe guests booted in real QEMU under TCG, on the machines and CPUs the probe and runs use. */
@Tag("qemu")
class ProbeGuestTest {

    /** Each boot takes well under a second; this only keeps a hanging guest from hanging the build. */
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    Path tmp;

    private record Boot(int status, String stdout, String stderr, Duration took) {
        String describe() {
            return "exit " + status + " after " + took.toMillis() + " ms, stdout: " + stdout + ", stderr: " + stderr;
        }
    }

    @Test
    void x86GuestPrintsItsLineAndExitsThroughDebugExitOnMicrovm() throws Exception {
        assertReady(Architecture.X86_64, boot(Architecture.X86_64, "microvm", "max"));
    }

    @Test
    void x86GuestPrintsItsLineAndExitsThroughDebugExitOnPc() throws Exception {
        assertReady(Architecture.X86_64, boot(Architecture.X86_64, "pc", "max"));
    }

    @Test
    void x86GuestSkipsXsaveAndAvxOnACpuWithoutThem() throws Exception {
        assertReady(Architecture.X86_64, boot(Architecture.X86_64, "pc", "qemu64"));
    }

    @Test
    void x86GuestWithoutLongModeEndsQemuWithAnotherStatus() throws Exception {
        Boot boot = boot(Architecture.X86_64, "pc", "qemu64,-lm");

        assertThat(boot.status()).as(boot.describe()).isEqualTo(ProbeGuest.X86_NO_LONG_MODE_STATUS);
        assertThat(boot.stdout()).contains("jkraft-probe: no long mode").doesNotContain(ProbeGuest.READY_LINE);
        assertThat(ProbeGuest.succeeded(Architecture.X86_64, boot.status(), boot.stdout())).isFalse();
    }

    @Test
    void arm64GuestPrintsItsLineAndPowersOffOnMax() throws Exception {
        assertReady(Architecture.ARM64, boot(Architecture.ARM64, "virt", "max"));
    }

    @Test
    void arm64GuestPrintsItsLineAndPowersOffOnCortexA57() throws Exception {
        assertReady(Architecture.ARM64, boot(Architecture.ARM64, "virt", "cortex-a57"));
    }

    @Test
    void successNeedsBothTheLineAndTheCleanExitStatus() {
        String console = ProbeGuest.READY_LINE + "\r\n";
        assertThat(ProbeGuest.succeeded(Architecture.X86_64, ProbeGuest.X86_READY_STATUS, console)).isTrue();
        assertThat(ProbeGuest.succeeded(Architecture.X86_64, ProbeGuest.X86_READY_STATUS, ProbeGuest.READY_LINE + "\n")).isTrue();
        assertThat(ProbeGuest.succeeded(Architecture.ARM64, 0, console)).isTrue();

        assertThat(ProbeGuest.succeeded(Architecture.X86_64, 0, console)).as("a triple fault after the line").isFalse();
        assertThat(ProbeGuest.succeeded(Architecture.X86_64, ProbeGuest.X86_NO_LONG_MODE_STATUS, console)).isFalse();
        assertThat(ProbeGuest.succeeded(Architecture.ARM64, 1, console)).isFalse();
        assertThat(ProbeGuest.succeeded(Architecture.ARM64, ProbeGuest.X86_READY_STATUS, console)).isFalse();
        assertThat(ProbeGuest.succeeded(Architecture.X86_64, ProbeGuest.X86_READY_STATUS, "")).isFalse();
        assertThat(ProbeGuest.succeeded(Architecture.ARM64, 0, "jkraft-probe: exception\r\n")).isFalse();
        assertThat(ProbeGuest.succeeded(Architecture.ARM64, 0, "jkraft-probe: o")).as("a line cut short").isFalse();
    }

    @Test
    void onlyX86AndArm64HaveAGuest() {
        assertThatThrownBy(() -> ProbeGuest.image(Architecture.ARM)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ProbeGuest.qemuArguments(Architecture.ARM, tmp)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ProbeGuest.succeeded(Architecture.ARM, 0, "")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void argumentsLeaveAcceleratorCpuAndMachineToTheCaller() {
        Path kernel = tmp.resolve("probe.img");
        for (Architecture arch : List.of(Architecture.X86_64, Architecture.ARM64)) {
            List<String> args = ProbeGuest.qemuArguments(arch, kernel);
            assertThat(args).doesNotContain("-accel", "-cpu", "-machine", "-M", "-enable-kvm")
                    .contains("-no-reboot").endsWith("-kernel", kernel.toString())
                    .containsSubsequence("-serial", "stdio");
            assertThat(args.contains("isa-debug-exit")).isEqualTo(arch == Architecture.X86_64);
        }
    }

    @Test
    void x86ImageIsAFlatMultibootImageLoadedAtOneMebibyte() {
        ByteBuffer image = ByteBuffer.wrap(ProbeGuest.image(Architecture.X86_64)).order(ByteOrder.LITTLE_ENDIAN);
        int magic = image.getInt(0);
        int flags = image.getInt(4);

        assertThat(magic).isEqualTo(0x1BADB002);
        assertThat(magic + flags + image.getInt(8)).as("checksum").isZero();
        assertThat(flags).as("a.out kludge").isEqualTo(1 << 16);
        assertThat(image.getInt(12)).as("header_addr").isEqualTo(0x100000).isEqualTo(image.getInt(16));
        assertThat(image.getInt(24)).as("bss_end_addr").isGreaterThan(0x100000 + image.capacity());
        assertThat(image.getInt(28) - 0x100000).as("entry offset").isBetween(32, image.capacity() - 1);
    }

    @Test
    void arm64ImageHasALinuxImageHeader() {
        byte[] bytes = ProbeGuest.image(Architecture.ARM64);
        ByteBuffer image = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);

        assertThat(image.getInt(0) >>> 26).as("code0 is a branch").isEqualTo(0b000101);
        assertThat(image.getLong(8)).as("text_offset").isZero();
        assertThat(image.getLong(16)).as("image_size").isEqualTo(bytes.length);
        assertThat(image.getInt(56)).as("magic").isEqualTo(0x644d5241);
        assertThat(bytes.length % 4).isZero();
    }

    private static void assertReady(Architecture arch, Boot boot) {
        assertThat(boot.stdout()).as(boot.describe()).contains(ProbeGuest.READY_LINE);
        assertThat(ProbeGuest.succeeded(arch, boot.status(), boot.stdout())).as(boot.describe()).isTrue();
    }

    /** Boots the architecture's probe guest under TCG and waits for QEMU to end by itself. */
    private Boot boot(Architecture arch, String machine, String cpu) throws Exception {
        String qemu = QemuCommand.binaryName(arch);
        Path binary = HostSystem.onPath(qemu, System.getenv()).orElse(null);
        requireTool(binary == null ? qemu + " is not installed (Debian: qemu-system-"
                + (arch == Architecture.ARM64 ? "arm" : "x86") + ")" : null);
        if (machine.equals("microvm")) {
            requireTool(QemuCommand.hasFirmware(binary, "bios-microvm.bin") ? null
                    : qemu + " comes without bios-microvm.bin for -machine microvm");
        }
        Path kernel = Files.write(tmp.resolve(arch + "-probe.img"), ProbeGuest.image(arch));
        List<String> cmd = new ArrayList<>(List.of(binary.toString(), "-accel", "tcg", "-machine", machine, "-cpu", cpu));
        cmd.addAll(ProbeGuest.qemuArguments(arch, kernel));
        Path out = tmp.resolve("stdout");
        Path err = tmp.resolve("stderr");
        long start = System.nanoTime();
        Process process = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor();
            fail("the probe guest did not end QEMU within " + TIMEOUT.toSeconds() + " s: " + String.join(" ", cmd)
                    + "\nstdout: " + Files.readString(out, StandardCharsets.ISO_8859_1));
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        return new Boot(process.exitValue(), Files.readString(out, StandardCharsets.ISO_8859_1),
                Files.readString(err, StandardCharsets.ISO_8859_1), took);
    }

    private static void requireTool(String reason) {
        if (reason != null && System.getenv("JKRAFT_TEST_REQUIRE_TOOLS") != null) {
            // CI installs every tool; a skip there would hide a broken install step.
            throw new IllegalStateException("JKRAFT_TEST_REQUIRE_TOOLS is set but " + reason);
        }
        Assumptions.assumeTrue(reason == null, reason);
    }
}
