package io.jkraft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jkraft.common.ExitCode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * jkraft processes that die or are interrupted, and many machines at once: afterwards ps must tell the
 * truth and stop, start and rm must still work from another process. jkraft runs as a child JVM where
 * it has to be signalled.
 */
@Tag("qemu")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MachineReliabilityTest {
    private static final int KILLED = 128 + 9;

    private String kernel;
    private MachineCli cli;

    @BeforeAll
    void buildKernel(@TempDir Path shared) throws Exception {
        kernel = LifeKernel.build(shared).toString();
    }

    @BeforeEach
    void isolatedState(@TempDir Path perTest) {
        cli = new MachineCli(perTest);
    }

    @AfterEach
    void noMachineOutlivesTheTest() throws Exception {
        cli.cleanUp();
    }

    private Child foreground(String name, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("run", "-W", "-M", "8Mi", "-n", name));
        args.addAll(List.of(extra));
        args.addAll(List.of(kernel, "--", LifeKernel.IDLE));
        return cli.start(args.toArray(String[]::new));
    }

    @Test
    void foregroundJkraftKilledPsStillSaysRunningAndStopOrRmForceWorkFromAnotherProcess() throws Exception {
        Child first = foreground("orphan");
        Child second = foreground("orphan2");
        first.awaitOutput(LifeKernel.IDLING);
        second.awaitOutput(LifeKernel.IDLING);

        first.signal("KILL");
        second.signal("KILL");
        assertThat(first.awaitExit()).isEqualTo(KILLED);
        assertThat(second.awaitExit()).isEqualTo(KILLED);

        for (String name : List.of("orphan", "orphan2")) {
            JsonNode m = cli.machine(name);
            assertThat(m.get("status").asText()).as(name).isEqualTo("running");
            assertThat(cli.qemuOf(m)).extracting(MachineCli.Vmm::pid).as(name).containsExactly(m.get("pid").asLong());
        }
        assertThat(cli.ok("ps", "-q").out().lines()).containsExactlyInAnyOrder("orphan", "orphan2");

        long orphanPid = cli.machine("orphan").get("pid").asLong();
        cli.ok("stop", "orphan");
        assertThat(MachineCli.alive(orphanPid)).isFalse();
        assertThat(cli.machine("orphan").get("status").asText()).isEqualTo("exited");
        cli.ok("rm", "orphan");

        JsonNode orphan2 = cli.machine("orphan2");
        cli.ok("rm", "-f", "orphan2");
        assertThat(MachineCli.alive(orphan2.get("pid").asLong())).isFalse();
        assertThat(cli.machines()).isEmpty();
        assertThat(cli.processes()).isEmpty();
    }

    /**
     * Freezes {@code run -d} as soon as its QEMU exists, notes how far the record got, then kills it.
     * Usually that is before the record says running (QEMU still answers QMP), sometimes just after, and
     * on a fast host the run may even have finished; ps must be right in every case.
     */
    private void killedDuringDetachedRun(String name) throws Exception {
        // A published port makes run record the machine before it starts QEMU (a run without ports starts
        // QEMU first: see detachedRunKilledBeforeItRecordedItsMachinePsLeavesNothingOfIt).
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        Child run = cli.start("run", "-W", "-M", "8Mi", "-d", "-n", name, "-p", port + ":80", kernel, "--",
                LifeKernel.IDLE);
        MachineCli.await("QEMU of " + name, () -> {
            if (cli.processes().stream().anyMatch(v -> v.runs(name))) {
                return true;
            }
            if (run.hasExited()) {
                throw new AssertionError("run -d " + name + " ended before its QEMU was seen: " + run.err());
            }
            return false;
        });
        boolean frozen = run.signalIfAlive("STOP");
        String seen = cli.machine(name).get("status").asText();
        if (frozen) {
            run.signal("KILL");
            assertThat(run.awaitExit()).isEqualTo(KILLED);
            assertThat(seen).isIn("created", "running");
        } else {
            assertThat(run.awaitExit()).as("run -d that finished first").isZero();
            assertThat(seen).isEqualTo("running");
        }

        JsonNode m = cli.machine(name);
        if (seen.equals("running")) {
            assertThat(m.get("status").asText()).isEqualTo("running");
            assertThat(cli.qemuOf(m)).extracting(MachineCli.Vmm::pid).containsExactly(m.get("pid").asLong());
        } else {
            // Its QEMU was never resumed: the machine did not start, whatever process is left of it.
            assertThat(m.get("status").asText()).isEqualTo("errored");
            assertThat(m.get("error").asText()).contains("ended before the machine started");
            assertThat(cli.ok("ps", "-q").out()).doesNotContain(name);
        }
    }

    @Test
    void detachedRunKilledPsTellsTheTruthAndStartAndRmDealWithTheLeftQemu() throws Exception {
        killedDuringDetachedRun("half");
        killedDuringDetachedRun("half2");

        cli.ok("start", "half");
        JsonNode half = cli.machine("half");
        assertThat(half.get("status").asText()).as(half.toString()).isEqualTo("running");
        assertThat(cli.qemuOf(half)).as("one QEMU for the machine, not the old one beside a new one")
                .extracting(MachineCli.Vmm::pid).containsExactly(half.get("pid").asLong());
        MachineCli.await("the restarted guest to idle", () -> cli.ok("logs", "half").console()
                .contains(LifeKernel.IDLING));

        JsonNode half2 = cli.machine("half2");
        cli.ok("rm", "-f", "half2");
        assertThat(cli.qemuOf(half2)).as("rm ends the QEMU the killed run left").isEmpty();
        assertThat(Path.of(half2.get("stateDir").asText())).doesNotExist();
        assertThat(cli.machine("half2")).isNull();
    }

    @Test
    void detachedRunKilledBeforeItRecordedItsMachinePsLeavesNothingOfIt() throws Exception {
        Child run = cli.start("run", "-W", "-M", "8Mi", "-d", "-n", "early", kernel, "--", LifeKernel.IDLE);
        MachineCli.await("QEMU of early", () -> cli.processes().stream()
                .anyMatch(v -> v.runs("early")));
        boolean frozen = run.signalIfAlive("STOP");
        // ps while the run lives: its start is in progress and is left alone. A run frozen inside its write
        // transaction holds the store's lock until it dies, so ps would wait its busy timeout: kill the run then,
        // as a user would, and ps goes on.
        CompletableFuture<JsonNode> ps = CompletableFuture.supplyAsync(() -> {
            try {
                return cli.machine("early");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        if (frozen) {
            try {
                ps.get(5, TimeUnit.SECONDS);
                assertThat(cli.processes()).as("the frozen run's QEMU, left alone by ps").anyMatch(MachineCli.Vmm::isQemu);
            } catch (TimeoutException waitingOnTheFrozenRunsLock) {
                // the kill below releases it
            }
            run.signal("KILL");
            assertThat(run.awaitExit()).isEqualTo(KILLED);
        } else {
            assertThat(run.awaitExit()).isZero();
        }
        JsonNode seen = ps.get(60, TimeUnit.SECONDS);

        JsonNode after = cli.machine("early");
        if (seen == null && frozen) {
            // Killed before the record: the guest never ran, and ps ends its QEMU and removes its folder.
            assertThat(after).isNull();
            assertThat(cli.processes()).isEmpty();
            try (var folders = Files.list(cli.runtimeDir())) {
                assertThat(folders.toList()).isEmpty();
            }
        } else {
            assertThat(after).as("recorded before the kill: ps shows it").isNotNull();
            assertThat(after.get("status").asText()).isIn("running", "errored");
        }
    }

    @Test
    void ctrlCStopsAndRecordsTheMachineAndExits130() throws Exception {
        Child kept = foreground("interrupted");
        Child removed = foreground("transient", "--rm");
        kept.awaitOutput(LifeKernel.IDLING);
        removed.awaitOutput(LifeKernel.IDLING);
        JsonNode before = cli.machine("interrupted");

        kept.signal("INT");
        removed.signal("INT");

        assertThat(kept.awaitExit()).isEqualTo(ExitCode.INTERRUPTED.code());
        assertThat(removed.awaitExit()).isEqualTo(ExitCode.INTERRUPTED.code());
        JsonNode after = cli.machine("interrupted");
        assertThat(after.get("status").asText()).isEqualTo("exited");
        assertThat(after.get("finished").isNull()).isFalse();
        assertThat(MachineCli.alive(before.get("pid").asLong())).isFalse();
        assertThat(cli.machine("transient")).as("--rm removes it after Ctrl-C too").isNull();
        assertThat(cli.processes()).isEmpty();
        assertThat(kept.err()).doesNotContain("error");
    }

    @Test
    void stopOrRmForceFromAnotherProcessEndAForegroundRunCleanly() throws Exception {
        Child stopped = foreground("followed");
        Child removed = foreground("followed2");
        stopped.awaitOutput(LifeKernel.IDLING);
        removed.awaitOutput(LifeKernel.IDLING);

        cli.ok("stop", "followed");
        // Frozen, the foreground jkraft cannot record the end and let go of its machine before rm -f
        // deletes it: the window a busy host opens now and then, held open.
        removed.signal("STOP");
        CompletableFuture<MachineCli.Result> rm = CompletableFuture.supplyAsync(() -> cli.run("rm", "-f", "followed2"));
        MachineCli.await("rm -f to stop followed2", () -> !cli.machine("followed2").get("status").asText()
                .equals("running"));
        removed.signal("CONT");

        MachineCli.Result removal = rm.get(MachineCli.PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(removal.status()).as(removal.err()).isZero();
        assertThat(stopped.awaitExit()).isEqualTo(ExitCode.INTERRUPTED.code());
        assertThat(removed.awaitExit()).isEqualTo(ExitCode.INTERRUPTED.code());
        assertThat(stopped.err() + removed.err()).doesNotContain("error");
        assertThat(cli.machine("followed").get("status").asText()).isEqualTo("exited");
        assertThat(cli.machine("followed2")).isNull();
        assertThat(cli.processes()).isEmpty();
    }

    @Test
    void twentyDetachedMachinesStartedAtOnceThenRmAllLeavesNothing() throws Exception {
        int count = 20;
        List<Future<MachineCli.Result>> runs = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(count)) {
            for (int i = 0; i < count; i++) {
                String name = "m" + i;
                runs.add(pool.submit(() -> cli.run("run", "-W", "-M", "8Mi", "-d", "-n", name, kernel, "--",
                        LifeKernel.IDLE)));
            }
            for (Future<MachineCli.Result> run : runs) {
                MachineCli.Result r = run.get(MachineCli.PATIENCE.toSeconds(), TimeUnit.SECONDS);
                assertThat(r.status()).as(r.err()).isZero();
            }
        }
        JsonNode machines = cli.machines();
        assertThat(machines).hasSize(count);
        Set<Long> pids = new HashSet<>();
        for (JsonNode m : machines) {
            assertThat(m.get("status").asText()).as(m.get("name").asText()).isEqualTo("running");
            assertThat(MachineCli.alive(m.get("pid").asLong())).isTrue();
            pids.add(m.get("pid").asLong());
        }
        assertThat(pids).hasSize(count);
        assertThat(cli.processes().stream().filter(MachineCli.Vmm::isQemu)).hasSize(count);

        MachineCli.Result rm = cli.ok("rm", "--all");

        assertThat(rm.out().lines()).hasSize(count);
        assertThat(cli.processes()).isEmpty();
        try (var folders = Files.list(cli.runtimeDir())) {
            assertThat(folders).isEmpty();
        }
        assertThat(cli.machines()).isEmpty();
    }
}
