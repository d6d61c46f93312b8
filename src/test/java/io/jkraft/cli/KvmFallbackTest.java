package io.jkraft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jkraft.common.ExitCode;
import io.jkraft.common.HostSystem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host whose KVM starts a machine but stops the guest at its first SSE instruction ("KVM internal error.
 * Suberror: 1 (emulation failure)"), with QEMU then keeping the guest paused for ever. The fixture core
 * enables SSE and runs {@code ldmxcsr} before any output, as Unikraft does.
 *
 * <p>A wrapped QEMU makes this host such a host: the wrapper lets the accelerator probe through as if KVM
 * had run it (under TCG), and gives a machine this host's real KVM with its CPU's arch-capabilities turned
 * off, under which this host's KVM fails on exactly that instruction. Where KVM behaves otherwise (it runs
 * the guest, or is missing), the test is skipped, saying so.
 */
@Tag("qemu")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KvmFallbackTest {
    private static final String FAILING_CPU = "host,+x2apic,-pmu,-arch-capabilities";

    private Path kernel;
    private Path realQemu;
    private Path wrapperLog;
    private MachineCli cli;

    @BeforeAll
    void buildKernelAndCheckThisHostsKvm(@TempDir Path shared) throws Exception {
        kernel = LifeKernel.build(shared);
        realQemu = HostSystem.onPath("qemu-system-x86_64", System.getenv()).orElseThrow();
        String why = kvmFailsTheGuestHere(shared);
        Assumptions.assumeTrue(why == null, why);
    }

    @BeforeEach
    void isolatedStateWithTheWrappedQemu(@TempDir Path perTest) throws IOException {
        Path bin = Files.createDirectories(perTest.resolve("bin"));
        // QEMU's firmware is looked up beside the binary jkraft finds, so that the machine is the one it would be.
        Files.createSymbolicLink(perTest.resolve("share"), realQemu.toRealPath().getParent().resolveSibling("share"));
        wrapperLog = perTest.resolve("qemu-runs");
        Path wrapper = bin.resolve("qemu-system-x86_64");
        Files.writeString(wrapper, """
                #!/bin/bash
                echo "$*" >> '%s'
                probe=yes
                for a; do [ "$a" = -pidfile ] && probe=no; done
                args=()
                for a; do
                  if [ $probe = yes ]; then
                    case $a in kvm) a=tcg ;; host,+x2apic,-pmu) a=max ;; esac
                  else
                    case $a in host,+x2apic,-pmu) a=%s ;; esac
                  fi
                  args+=("$a")
                done
                exec '%s' "${args[@]}"
                """.formatted(wrapperLog, FAILING_CPU, realQemu));
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
        cli = new MachineCli(perTest.resolve("st")).withEnv("PATH", bin + ":" + System.getenv("PATH"));
    }

    @AfterEach
    void noMachineOutlivesTheTest() throws Exception {
        cli.cleanUp();
    }

    @Test
    void aGuestKvmFailsOnIsStartedAgainUnderTcgOnceAndLaterRunsGoToTcgAtOnce() throws Exception {
        MachineCli.Result first = cli.run("run", "-M", "8Mi", "-n", "fb", kernel.toString());

        assertThat(first.status()).as(first.err()).isZero();
        assertThat(first.console()).contains("main returned 0");
        assertThat(first.errors()).isEmpty();
        assertThat(first.err().lines().filter(l -> l.startsWith("KVM could not run the guest")).toList())
                .singleElement().asString().contains("KVM internal error. Suberror: 1")
                .endsWith("starting it again with TCG emulation, which later runs with this QEMU use at once");
        List<String> runs = Files.readAllLines(wrapperLog);
        assertThat(runs).as("the probe, the run under KVM, the run under TCG").hasSize(3);
        assertThat(runs.get(1)).contains("-accel kvm");
        assertThat(runs.get(2)).contains("-accel tcg");
        assertThat(cli.machine("fb").get("status").asText()).isEqualTo("exited");

        MachineCli.Result second = cli.run("run", "--rm", "-M", "8Mi", kernel.toString());

        assertThat(second.status()).as(second.err()).isZero();
        assertThat(second.err()).as("no probe, no failed start, no notice").isEmpty();
        List<String> after = Files.readAllLines(wrapperLog);
        assertThat(after).hasSize(4);
        assertThat(after.getLast()).contains("-accel tcg");
    }

    @Test
    void aDetachedGuestKvmFailsOnIsStartedAgainUnderTcgBeforeRunReturns() throws Exception {
        MachineCli.Result r = cli.run("run", "-d", "-M", "8Mi", "-n", "bg", kernel.toString(), "--", LifeKernel.IDLE);

        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out().strip()).isEqualTo("bg");
        assertThat(r.err()).contains("KVM could not run the guest", "starting it again with TCG emulation");
        List<String> runs = Files.readAllLines(wrapperLog);
        assertThat(runs).hasSize(3);
        assertThat(runs.get(2)).contains("-accel tcg");
        MachineCli.await("the guest to idle under TCG", () -> cli.ok("logs", "bg").console().contains(LifeKernel.IDLING));
        assertThat(cli.machine("bg").get("status").asText()).isEqualTo("running");
        assertThat(cli.qemuOf(cli.machine("bg"))).singleElement()
                .satisfies(v -> assertThat(v.argv()).contains("tcg").doesNotContain("kvm"));
    }

    @Test
    void withKvmAskedForThereIsNoFallbackButTheErrorItsWordsAndTheHint() throws Exception {
        MachineCli.Result r = cli.run("run", "--accel", "kvm", "-M", "8Mi", "-n", "kvm", kernel.toString());

        assertThat(r.status()).as(r.err()).isEqualTo(ExitCode.GUEST_STOPPED.code());
        assertThat(r.console()).isEmpty();
        assertThat(r.errors()).singleElement().asString()
                .startsWith("error: QEMU stopped the guest (QEMU state internal-error): KVM internal error. Suberror: 1");
        assertThat(r.err()).contains("hint: KVM cannot run this guest on this host", "run it with -W");
        assertThat(Files.readAllLines(wrapperLog)).as("no probe, one start").hasSize(1);
        assertThat(cli.processes()).isEmpty();
        assertThat(cli.machine("kvm").get("error").asText()).contains("KVM internal error");
        assertThat(cli.ok("logs", "kvm").console()).contains("KVM internal error", "emulation failure", "EIP=");
    }

    @Test
    void aDetachedGuestKvmStopsWithKvmAskedForIsErroredInPsWithKvmsWords() throws Exception {
        cli.ok("run", "-d", "--accel", "kvm", "-M", "8Mi", "-n", "stuck", kernel.toString(), "--", LifeKernel.IDLE);

        MachineCli.await("ps to call it errored", () -> cli.machine("stuck").get("status").asText().equals("errored"));

        assertThat(cli.machine("stuck").get("error").asText())
                .startsWith("QEMU stopped the guest (QEMU state internal-error): KVM internal error. Suberror: 1");
        assertThat(cli.ok("ps", "-a").out()).contains("stuck", "errored: QEMU stopped the guest");
        assertThat(cli.processes()).as("ps ended the QEMU that KVM had left paused").isEmpty();
        assertThat(cli.ok("logs", "stuck").console()).contains("KVM internal error", "EIP=");
    }

    /** Null when this host's KVM stops the fixture guest with an internal error under {@link #FAILING_CPU}, else why not. */
    private String kvmFailsTheGuestHere(Path dir) throws Exception {
        if (!Files.isReadable(Path.of("/dev/kvm")) || !Files.isWritable(Path.of("/dev/kvm"))) {
            return "no usable /dev/kvm here";
        }
        Path err = dir.resolve("kvm-check.err");
        Process qemu = new ProcessBuilder(realQemu.toString(), "-nodefaults", "-no-user-config", "-display", "none",
                "-no-reboot", "-machine", "pc", "-accel", "kvm", "-cpu", FAILING_CPU, "-m", "8M", "-serial", "null",
                "-kernel", kernel.toString()).redirectError(err.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            for (int i = 0; i < 100 && qemu.isAlive(); i++) {
                if (Files.readString(err, StandardCharsets.UTF_8).contains("KVM internal error")) {
                    return null;
                }
                Thread.sleep(100);
            }
            return Files.readString(err, StandardCharsets.UTF_8).contains("KVM internal error") ? null
                    : "this host's KVM does not stop the guest with an internal error under -cpu " + FAILING_CPU
                            + " (" + Files.readString(err, StandardCharsets.UTF_8).lines().findFirst().orElse("it ran") + ")";
        } finally {
            qemu.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
