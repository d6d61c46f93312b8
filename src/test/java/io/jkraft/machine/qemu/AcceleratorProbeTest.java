package io.jkraft.machine.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jkraft.common.Architecture;
import io.jkraft.common.Invocation;
import io.jkraft.testing.QemuBoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AcceleratorProbeTest {

    @TempDir
    Path tmp;

    /** A stand-in QEMU that counts its runs and behaves like QEMU on this kind of host (aborts in KVM setup). */
    private Path fakeQemu(String body) throws Exception {
        Path script = tmp.resolve("bin/qemu-system-x86_64");
        Files.createDirectories(script.getParent());
        Files.writeString(script, "#!/bin/sh\necho run >> " + tmp.resolve("runs") + "\n" + body);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    private static final String ABORTS = """
            echo 'qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69' >&2
            echo "qemu-system-x86_64: kvm.c:3183: kvm_buf_set_msrs: Assertion failed." >&2
            kill -ABRT $$
            """;

    /** What QEMU does when KVM runs the probe guest to its end: its line, then isa-debug-exit's status. */
    private static final String RUNS = """
            echo 'jkraft-probe: ok'
            exit 67
            """;

    /** What QEMU does on a host whose KVM starts but cannot run the guest: its dump, then it waits for ever. */
    private static final String STALLS = """
            echo 'KVM internal error. Suberror: 1' >&2
            echo 'extra data[0]: 0x0000000000000000' >&2
            echo 'emulation failure' >&2
            echo 'RAX=0000000000000000 RBX=0000000000000000' >&2
            exec sleep 600
            """;

    private AcceleratorProbe probe(Path kvm, String release) throws Exception {
        Path osRelease = Files.writeString(tmp.resolve("osrelease-" + release), release + "\n");
        return new AcceleratorProbe(tmp.resolve("cache"), kvm, osRelease, Architecture.X86_64);
    }

    private Path usableKvmDevice() throws Exception {
        return Files.writeString(tmp.resolve("kvm"), "");
    }

    private long runs() throws Exception {
        return Files.exists(tmp.resolve("runs")) ? Files.readAllLines(tmp.resolve("runs")).size() : 0;
    }

    @Test
    void abortingQemuMeansTcgWithItsReasonAndIsProbedOnce() throws Exception {
        Path qemu = fakeQemu(ABORTS);
        AcceleratorProbe probe = probe(usableKvmDevice(), "6.1.0");

        Accelerator first = probe.decide(qemu, Architecture.X86_64);
        Accelerator second = probe.decide(qemu, Architecture.X86_64);

        assertThat(first.isKvm()).isFalse();
        assertThat(first.notice()).isEqualTo(
                "KVM unavailable: QEMU with KVM aborted: error: failed to set MSR 0x10a to 0x69;"
                        + " using TCG emulation (slower)");
        assertThat(second).isEqualTo(first.remembered());
        assertThat(second.notice()).as("the notice is shown once, when the probe runs").isNull();
        assertThat(runs()).isEqualTo(1);
    }

    @Test
    void aNewQemuBinaryOrKernelProbesAgain() throws Exception {
        Path qemu = fakeQemu(ABORTS);
        Path kvm = usableKvmDevice();
        probe(kvm, "6.1.0").decide(qemu, Architecture.X86_64);

        Files.setLastModifiedTime(qemu, FileTime.fromMillis(Files.getLastModifiedTime(qemu).toMillis() + 5000));
        probe(kvm, "6.1.0").decide(qemu, Architecture.X86_64);
        probe(kvm, "6.2.0").decide(qemu, Architecture.X86_64);
        probe(kvm, "6.2.0").decide(qemu, Architecture.X86_64);

        assertThat(runs()).isEqualTo(3);
    }

    @Test
    void runningGuestMeansKvm() throws Exception {
        assertThat(probe(usableKvmDevice(), "6.1.0").decide(fakeQemu(RUNS), Architecture.X86_64).isKvm()).isTrue();
    }

    @Test
    void noDeviceOrForeignArchitectureNeedsNoQemuRun() throws Exception {
        Path qemu = fakeQemu(RUNS);

        Accelerator noDevice = probe(tmp.resolve("absent-kvm"), "6.1.0").decide(qemu, Architecture.X86_64);
        Accelerator arm = probe(usableKvmDevice(), "6.1.0").decide(qemu, Architecture.ARM64);

        assertThat(noDevice.notice()).startsWith("KVM unavailable: ").contains("absent-kvm does not exist");
        assertThat(arm.reason()).contains("the host CPU is x86_64, the guest arm64");
        assertThat(arm.notice()).as("KVM could never run another architecture: nothing to tell").isNull();
        assertThat(runs()).isZero();
    }

    @Test
    void aGuestThatKvmStopsMeansTcgAtOnceWithQemusWords() throws Exception {
        Path qemu = fakeQemu(STALLS);
        AcceleratorProbe probe = probe(usableKvmDevice(), "6.1.0");

        Accelerator decided = probe.decide(qemu, Architecture.X86_64);

        assertThat(decided.isKvm()).isFalse();
        assertThat(decided.reason()).isEqualTo(
                "QEMU with KVM stopped the probe guest: KVM internal error. Suberror: 1; emulation failure");
        assertThat(ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains(tmp.toString())))
                .as("the paused QEMU is ended, not left waiting").allMatch(p -> !p.isAlive());
    }

    @Test
    void rememberedUnusableKvmIsTcgWithoutAnotherRun() throws Exception {
        Path qemu = fakeQemu(RUNS);
        AcceleratorProbe probe = probe(usableKvmDevice(), "6.1.0");
        assertThat(probe.decide(qemu, Architecture.X86_64).isKvm()).isTrue();

        probe.rememberUnusable(qemu, "QEMU stopped the guest (QEMU state internal-error)");
        Accelerator after = probe(usableKvmDevice(), "6.1.0").decide(qemu, Architecture.X86_64);

        assertThat(after.isKvm()).isFalse();
        assertThat(after.reason()).contains("KVM could not run a guest: QEMU stopped the guest");
        assertThat(runs()).isEqualTo(1);
    }

    @Test
    void verdictNeedsTheProbeGuestsLineAndStatus() {
        assertThat(AcceleratorProbe.verdict(Architecture.X86_64, 67, "jkraft-probe: ok\r\n", "").isKvm()).isTrue();
        assertThat(AcceleratorProbe.verdict(Architecture.X86_64, 69, "jkraft-probe: no long mode\r\n", "").notice())
                .contains("did not run the probe guest (exit 69, jkraft-probe: no long mode)");
        assertThat(AcceleratorProbe.verdict(Architecture.X86_64, 0, "", "").isKvm()).as("a triple fault").isFalse();
        assertThat(AcceleratorProbe.verdict(Architecture.X86_64, 1, "", "qemu-system-x86_64: -accel kvm: Could not access KVM kernel module\n")
                .notice()).contains("(exit 1): -accel kvm: Could not access KVM kernel module");
    }

    @Tag("qemu")
    @Test
    void realQemuHereDecidesOnceAndCachesTheAnswer() throws Exception {
        assumeTrue(QemuBoot.available("x86_64"), () -> QemuBoot.unavailableReason("x86_64"));
        Path qemu = new QemuDriver(new AcceleratorProbe(tmp), Invocation.ofThisProcess()).findBinary(Architecture.X86_64);
        AcceleratorProbe probe = new AcceleratorProbe(tmp.resolve("cache"));

        Accelerator first = probe.decide(qemu, Architecture.X86_64);
        Accelerator again = probe.decide(qemu, Architecture.X86_64);

        assertThat(again).isEqualTo(first.remembered());
        boolean qemuWasAsked = first.isKvm() || !first.reason().contains("/dev/kvm");
        if (qemuWasAsked) {
            assertThat(Files.list(tmp.resolve("cache")).map(p -> p.getFileName().toString()).toList())
                    .as("the answer, and no probe image left").singleElement().asString().startsWith("accel-")
                    .endsWith(".properties");
        }
        if (!first.isKvm()) {
            // On the project's reference host QEMU aborts in KVM setup, so this is the branch taken there.
            assertThat(first.notice()).startsWith("KVM unavailable: ").endsWith("; using TCG emulation (slower)");
        }
    }
}
