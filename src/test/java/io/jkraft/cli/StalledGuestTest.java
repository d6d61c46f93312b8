package io.jkraft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jkraft.common.ExitCode;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A guest that QEMU stops for good while QEMU stays up, with real QEMU: {@link LifeKernel} reports a panic
 * on the pvpanic device, and under jkraft's {@code -action panic=pause} QEMU keeps it in
 * {@code guest-panicked} for ever. Nothing may wait on such a machine: a foreground run ends with the
 * panic, a detached one is called errored by ps, and no QEMU is left either way.
 */
@Tag("qemu")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StalledGuestTest {
    private Path kernel;
    private MachineCli cli;

    @BeforeAll
    void buildKernel(@TempDir Path shared) throws Exception {
        kernel = LifeKernel.build(shared);
    }

    @BeforeEach
    void isolatedState(@TempDir Path perTest) {
        cli = new MachineCli(perTest);
    }

    @AfterEach
    void noMachineOutlivesTheTest() throws Exception {
        cli.cleanUp();
    }

    @Test
    void aForegroundRunOfAPanickedGuestEndsWithThePanicExitStatus4AndLeavesNoQemu() throws Exception {
        MachineCli.Result r = cli.run("run", "-W", "-M", "8Mi", "-n", "pan", kernel.toString(), "--", LifeKernel.PANIC);

        assertThat(r.status()).as(r.err()).isEqualTo(ExitCode.GUEST_CRASHED.code());
        assertThat(r.console()).contains(LifeKernel.PANICKING);
        assertThat(r.errors()).singleElement().asString()
                .isEqualTo("error: the guest panicked (QEMU state guest-panicked)");
        assertThat(cli.processes()).as("QEMU is ended, not left paused").isEmpty();
        JsonNode pan = cli.machine("pan");
        assertThat(pan.get("status").asText()).isEqualTo("errored");
        assertThat(pan.get("error").asText()).startsWith("the guest panicked");
    }

    @Test
    void aDetachedPanickedGuestIsErroredInPsWithTheReasonAndLogsKeepQemusWords() throws Exception {
        cli.ok("run", "-W", "-M", "8Mi", "-d", "-n", "dpan", kernel.toString(), "--", LifeKernel.PANIC);
        MachineCli.await("the guest to panic", () -> cli.ok("logs", "dpan").console().contains(LifeKernel.PANICKING)
                || !cli.machine("dpan").get("status").asText().equals("running"));

        MachineCli.await("ps to call it errored", () -> cli.machine("dpan").get("status").asText().equals("errored"));

        JsonNode dpan = cli.machine("dpan");
        assertThat(dpan.get("error").asText()).isEqualTo("the guest panicked (QEMU state guest-panicked)");
        assertThat(cli.processes()).as("ps ended the paused QEMU").isEmpty();
        assertThat(cli.ok("ps", "-a").out()).contains("dpan", "errored: the guest panicked (QEMU state guest-panicked)");
        String logs = cli.ok("logs", "dpan").console();
        assertThat(logs).contains(LifeKernel.PANICKING, "QEMU stopped the guest", "Guest crashed");
    }

    @Test
    void aForegroundRunWhoseOutputIsClosedStopsItsMachineAndEndsWith141() throws Exception {
        // A pipe whose reader has gone (`jkraft run app | head -1`): the first write after it fails.
        java.io.OutputStream closedPipe = new java.io.OutputStream() {
            @Override
            public void write(int b) throws java.io.IOException {
                throw new java.io.IOException("Broken pipe");
            }
        };

        MachineCli.Result r = cli.run(closedPipe, "run", "-W", "-M", "8Mi", "-n", "piped", kernel.toString(), "--",
                LifeKernel.IDLE);

        assertThat(r.status()).as(r.err()).isEqualTo(ExitCode.OUTPUT_CLOSED.code());
        assertThat(r.errors()).isEmpty();
        assertThat(cli.processes()).as("the idle guest is stopped, not left running unread").isEmpty();
        assertThat(cli.machine("piped").get("status").asText()).isEqualTo("exited");
        cli.ok("run", "-W", "-M", "8Mi", "-d", "-n", "logged", kernel.toString(), "--", LifeKernel.IDLE);
        MachineCli.await("the guest to idle", () -> cli.ok("logs", "logged").console().contains(LifeKernel.IDLING));
        assertThat(cli.run(closedPipe, "logs", "-f", "logged").status()).as("logs -f | head ends too")
                .isEqualTo(ExitCode.OUTPUT_CLOSED.code());
    }

    @Test
    void aRunningGuestThatPrintsNothingNewIsNotCalledStalled() throws Exception {
        cli.ok("run", "-W", "-M", "8Mi", "-d", "-n", "quiet", kernel.toString(), "--", LifeKernel.IDLE);
        MachineCli.await("the guest to idle", () -> cli.ok("logs", "quiet").console().contains(LifeKernel.IDLING));

        assertThat(cli.machine("quiet").get("status").asText()).isEqualTo("running");
        assertThat(cli.ok("inspect", "quiet").out()).contains("\"running\"");
    }
}
