package io.jkraft.machine.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jkraft.testing.QemuBoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
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

    private static final String RUNS = """
            cat >/dev/null
            echo '{"QMP": {"version": {}}}'
            echo '{"return": {}}'
            echo '{"return": {}}'
            echo '{"return": {"status": "running", "running": true}}'
            echo '{"return": {}}'
            """;

    private AcceleratorProbe probe(Path kvm, String release) throws Exception {
        Path osRelease = Files.writeString(tmp.resolve("osrelease-" + release), release + "\n");
        return new AcceleratorProbe(tmp.resolve("cache"), kvm, osRelease, "x86_64");
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

        Accelerator first = probe.decide(qemu, "x86_64");
        Accelerator second = probe.decide(qemu, "x86_64");

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
        probe(kvm, "6.1.0").decide(qemu, "x86_64");

        Files.setLastModifiedTime(qemu, FileTime.fromMillis(Files.getLastModifiedTime(qemu).toMillis() + 5000));
        probe(kvm, "6.1.0").decide(qemu, "x86_64");
        probe(kvm, "6.2.0").decide(qemu, "x86_64");
        probe(kvm, "6.2.0").decide(qemu, "x86_64");

        assertThat(runs()).isEqualTo(3);
    }

    @Test
    void runningGuestMeansKvm() throws Exception {
        assertThat(probe(usableKvmDevice(), "6.1.0").decide(fakeQemu(RUNS), "x86_64").isKvm()).isTrue();
    }

    @Test
    void noDeviceOrForeignArchitectureNeedsNoQemuRun() throws Exception {
        Path qemu = fakeQemu(RUNS);

        Accelerator noDevice = probe(tmp.resolve("absent-kvm"), "6.1.0").decide(qemu, "x86_64");
        Accelerator arm = probe(usableKvmDevice(), "6.1.0").decide(qemu, "arm64");

        assertThat(noDevice.notice()).startsWith("KVM unavailable: ").contains("absent-kvm does not exist");
        assertThat(arm.reason()).contains("the host CPU is x86_64, the guest arm64");
        assertThat(arm.notice()).as("KVM could never run another architecture: nothing to tell").isNull();
        assertThat(runs()).isZero();
    }

    @Test
    void verdictNeedsTheGuestRunning() {
        assertThat(AcceleratorProbe.verdict(0, "{\"return\": {\"status\": \"internal-error\"}}", "").notice())
                .contains("did not keep the guest running");
        assertThat(AcceleratorProbe.verdict(1, "", "qemu-system-x86_64: -accel kvm: Could not access KVM kernel module\n")
                .notice()).contains("failed (exit 1): -accel kvm: Could not access KVM kernel module");
    }

    @Test
    void realQemuHereDecidesOnceAndCachesTheAnswer() throws Exception {
        assumeTrue(QemuBoot.available("x86_64"), () -> QemuBoot.unavailableReason("x86_64"));
        Path qemu = new QemuLauncher(new AcceleratorProbe(tmp), System.getenv()).findBinary("x86_64");
        AcceleratorProbe probe = new AcceleratorProbe(tmp.resolve("cache"));

        Accelerator first = probe.decide(qemu, "x86_64");
        long started = System.nanoTime();
        Accelerator again = probe.decide(qemu, "x86_64");
        long cachedMillis = (System.nanoTime() - started) / 1_000_000;

        assertThat(again).isEqualTo(first.remembered());
        boolean qemuWasAsked = first.isKvm() || !first.reason().contains("/dev/kvm");
        if (qemuWasAsked) {
            assertThat(Files.list(tmp.resolve("cache")).map(p -> p.getFileName().toString()).toList())
                    .singleElement().asString().startsWith("accel-").endsWith(".properties");
            assertThat(cachedMillis).isLessThan(50);
        }
        if (!first.isKvm()) {
            // On the project's reference host QEMU aborts in KVM setup, so this is the branch taken there.
            assertThat(first.notice()).startsWith("KVM unavailable: ").endsWith("; using TCG emulation (slower)");
        }
    }
}
