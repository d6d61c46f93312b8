package io.jkraft.machine.store;

import static io.jkraft.machine.store.Specs.spec;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real processes standing in for VMMs: {@code sh -c <script> <stateDir>} carries the marker as $0. */
class ReconcilerTest {
    @TempDir
    Path tmp;

    MachineStore store;
    Reconciler reconciler;
    final List<Process> started = new ArrayList<>();

    @BeforeEach
    void setUp() {
        store = MachineStore.open(tmp.resolve("state"));
        reconciler = new Reconciler(store);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (Process p : started) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor();
        }
    }

    /** Starts a shell running script with the marker of stateDir as its $0. */
    private Process vmm(Path stateDir, String script) throws Exception {
        Process p = new ProcessBuilder("sh", "-c", script, stateDir.toString()).redirectErrorStream(true).start();
        started.add(p);
        if (script.contains(";")) {
            // The shell forks its first command; until that fork execs it carries the shell's argv, and so the
            // marker: a second "VMM" of the machine for a moment. Wait until the fork is what it runs.
            List<String> arguments = List.of("-c", script, stateDir.toString());
            awaitTrue(() -> p.descendants().findAny().isPresent() && p.descendants()
                    .noneMatch(d -> d.info().arguments().map(a -> List.of(a).equals(arguments)).orElse(false)));
        }
        return p;
    }

    /** A machine started the way a detached run starts it, with the given script as its VMM. */
    private MachineRecord startDetached(String name, String script) throws Exception {
        MachineRecord r = store.prepareStart(store.create(spec(name)).id());
        Process p = vmm(r.stateDir(), script);
        r = store.markRunning(r.id(), p.pid());
        store.release(r.id());
        return r;
    }

    @Test
    void anEarlyStartWhoseRunIsGoneIsEndedOneStillInProgressIsLeftAlone() throws Exception {
        // A run killed after starting its VMM (paused) and before recording the machine.
        Path abandoned = store.runtimeRoot().resolve(MachineStore.newId(java.util.random.RandomGenerator.getDefault()));
        Files.createDirectories(abandoned);
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Files.writeString(abandoned.resolve(StartIntent.FILE), gone.pid() + " 0\n");
        Process orphan = vmm(abandoned, "sleep 60");
        // A run of this (live) process that is starting its machine right now.
        Path starting = store.runtimeRoot().resolve(MachineStore.newId(java.util.random.RandomGenerator.getDefault()));
        StartIntent.write(starting);
        Process fresh = vmm(starting, "sleep 60");

        assertThat(reconciler.staleProcesses()).extracting(StaleProcess::pid).containsExactly(orphan.pid());
        reconciler.reconcile();

        assertThat(orphan.waitFor(10, TimeUnit.SECONDS)).as("the abandoned VMM is ended").isTrue();
        assertThat(abandoned).doesNotExist();
        assertThat(fresh.isAlive()).isTrue();
        assertThat(starting.resolve(StartIntent.FILE)).exists();
        assertThat(reconciler.staleProcesses()).isEmpty();
        assertThat(reconciler.removeOrphanFolders()).isEmpty();
        assertThat(store.list()).isEmpty();
    }

    @Test
    void aVmmThatEndsIsExitedWithTheCodeItsWaiterLeft() throws Exception {
        // ends when told to, like a guest that powers off
        MachineRecord r = startDetached("short", "while [ ! -e \"$0/go\" ]; do sleep 0.02; done; "
                + "echo 7 > \"$0/exit-code.tmp\"; mv \"$0/exit-code.tmp\" \"$0/exit-code\"");

        assertThat(reconciler.reconcile()).isEmpty();
        assertThat(store.get("short").status()).isEqualTo(MachineStatus.RUNNING);
        assertThat(reconciler.vmmAlive(store.get("short"))).isTrue();

        Files.createFile(r.stateDir().resolve("go"));
        assertThat(started.getFirst().waitFor(10, TimeUnit.SECONDS)).isTrue();
        List<MachineRecord> changed = reconciler.reconcile();

        assertThat(changed).singleElement().satisfies(m -> {
            assertThat(m.id()).isEqualTo(r.id());
            assertThat(m.status()).isEqualTo(MachineStatus.EXITED);
            assertThat(m.exitCode()).isEqualTo(7);
            assertThat(m.pid()).isNull();
            assertThat(m.finishedAt()).isNotNull();
        });
        assertThat(reconciler.reconcile()).isEmpty();
    }

    @Test
    void aVmmThatVanishesWithoutAnExitCodeIsErrored() throws Exception {
        MachineRecord r = startDetached("vanish", "sleep 30; true");
        started.getFirst().destroyForcibly().waitFor();

        MachineRecord m = reconciler.reconcile().getFirst();

        assertThat(m.status()).isEqualTo(MachineStatus.ERRORED);
        assertThat(m.error()).contains("pid " + r.pid()).contains("vanished without leaving an exit code");
    }

    @Test
    void aReusedPidDoesNotKeepAMachineRunning() throws Exception {
        MachineRecord r = store.prepareStart(store.create(spec("reused")).id());
        Process other = new ProcessBuilder("sleep", "30").start(); // alive, but without the marker
        started.add(other);
        store.markRunning(r.id(), other.pid());
        store.release(r.id());

        assertThat(reconciler.vmmAlive(store.get("reused"))).isFalse();
        MachineRecord m = reconciler.reconcile().getFirst();

        assertThat(m.status()).isEqualTo(MachineStatus.ERRORED);
        assertThat(m.error()).contains("now runs another program");
        assertThat(other.isAlive()).isTrue();

        // with an exit code file, the recorded end wins over the guess
        store.prepareStart(r.id());
        store.markRunning(r.id(), other.pid());
        store.release(r.id());
        Files.writeString(r.exitCodeFile(), "0\n");
        assertThat(reconciler.reconcile().getFirst().status()).isEqualTo(MachineStatus.EXITED);
    }

    @Test
    void aLiveOwnerRecordsTheEndItself() throws Exception {
        MachineRecord r = store.prepareStart(store.create(spec("attached")).id());
        Process p = vmm(r.stateDir(), "exit 0");
        store.markRunning(r.id(), p.pid());
        p.waitFor();

        // this JVM owns the machine (an attached run): it will call markExited, the reconciler waits
        assertThat(reconciler.reconcile()).isEmpty();
        store.release(r.id());
        assertThat(reconciler.reconcile().getFirst().status()).isEqualTo(MachineStatus.ERRORED);
    }

    @Test
    void aMachineWhoseCreatorDiedBeforeStartingIsErrored() throws Exception {
        String id;
        try (ChildJvm child = ChildJvm.start(tmp, "orphan", tmp.resolve("state").toString())) {
            id = child.awaitLine("created ", 60).substring("created ".length());
            child.finish(60);
        }
        MachineRecord idle = store.create(spec("idle"));
        store.release(idle.id());
        store.create(spec("mine")); // owned by this live JVM: being started right now

        List<MachineRecord> changed = reconciler.reconcile();

        assertThat(changed).singleElement().satisfies(m -> {
            assertThat(m.id()).isEqualTo(id);
            assertThat(m.status()).isEqualTo(MachineStatus.ERRORED);
            assertThat(m.error()).contains("ended before the machine started");
        });
        assertThat(store.get("idle").status()).isEqualTo(MachineStatus.CREATED);
        assertThat(store.get("mine").status()).isEqualTo(MachineStatus.CREATED);
    }

    @Test
    void aStaleOwnerIsToldApartFromALaterProcessWithItsPid() throws Exception {
        MachineRecord r = store.create(spec("reowned"));
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + tmp.resolve("state/machines.db"));
                var s = c.createStatement()) {
            // our own pid, but a start time long before this JVM: the owner was an earlier process
            s.executeUpdate("UPDATE machines SET owner_started = 1000 WHERE id = '" + r.id() + "'");
        }
        assertThat(reconciler.reconcile()).singleElement()
                .satisfies(m -> assertThat(m.status()).isEqualTo(MachineStatus.ERRORED));
    }

    @Test
    void vmmsWithoutARecordAreReportedAsStale() throws Exception {
        String ghostId = UUID.randomUUID().toString();
        Process ghost = vmm(store.runtimeRoot().resolve(ghostId), "sleep 30; true");

        MachineRecord tracked = startDetached("tracked", "sh -c 'sleep 30; true' \"$0\"; true");
        awaitTrue(() -> started.get(1).descendants().findAny().isPresent());

        MachineRecord starting = store.create(spec("starting")); // owned by this JVM, VMM not yet recorded
        vmm(starting.stateDir(), "sleep 30; true");
        awaitTrue(() -> started.size() == 3 && started.get(2).isAlive());

        List<StaleProcess> stale = reconciler.staleProcesses();

        assertThat(stale).singleElement().satisfies(s -> {
            assertThat(s.pid()).isEqualTo(ghost.pid());
            assertThat(s.machineId()).isEqualTo(ghostId);
            assertThat(s.record()).isNull();
            assertThat(s.arguments()).contains(store.runtimeRoot().resolve(ghostId).toString());
        });

        // the creator lets go without starting: its VMM is no one's
        store.release(starting.id());
        assertThat(reconciler.staleProcesses()).extracting(StaleProcess::machineId)
                .containsExactlyInAnyOrder(ghostId, starting.id());

        // the wrapper dies, the VMM below it lives on: errored, and the survivor is stale
        long inner = started.get(1).descendants().findFirst().orElseThrow().pid();
        started.get(1).destroyForcibly().waitFor();
        assertThat(reconciler.reconcile()).extracting(MachineRecord::id).containsExactly(tracked.id());
        assertThat(reconciler.staleProcesses()).filteredOn(s -> s.machineId().equals(tracked.id()))
                .singleElement().satisfies(s -> {
                    assertThat(s.pid()).isEqualTo(inner);
                    assertThat(s.reason()).contains("is errored");
                });
    }

    @Test
    void markersOfOtherStoresAndLookalikesAreIgnored() {
        VmmMarker marker = store.marker();
        String id = UUID.randomUUID().toString();
        String dir = store.runtimeRoot().resolve(id).toString();

        assertThat(marker.machineId(List.of("qemu", "-pidfile", dir + "/vmm.pid"))).contains(id);
        assertThat(marker.machineId(List.of("qemu", "-qmp", "unix:" + dir + "/qmp.sock,server=on"))).contains(id);
        assertThat(marker.machineId(List.of("sh", "-c", "echo $? > '" + dir + "/exit-code'"))).contains(id);
        assertThat(marker.machineId(List.of(dir))).contains(id);
        assertThat(marker.machineId(List.of(dir + ".old"))).isEmpty();
        assertThat(marker.machineId(List.of(dir + "0"))).isEmpty();
        assertThat(marker.machineId(List.of("/elsewhere/runtime/" + id + "/vmm.pid"))).isEmpty();
        assertThat(marker.machineId(List.of("-name", id))).isEmpty();
        assertThat(marker.marks(List.of("-pidfile", dir + "/vmm.pid"), id)).isTrue();
        assertThat(marker.marks(List.of("-pidfile", dir + "/vmm.pid"), UUID.randomUUID().toString())).isFalse();
    }

    @Test
    void runtimeFoldersWithoutARecordAreRemoved() throws Exception {
        MachineRecord kept = store.prepareStart(store.create(spec("kept")).id());
        Path orphan = Files.createDirectories(store.runtimeRoot().resolve(UUID.randomUUID().toString()));
        Files.writeString(orphan.resolve("console.log"), "left behind");
        Path notOurs = Files.createDirectories(store.runtimeRoot().resolve("notes"));
        Path busy = Files.createDirectories(store.runtimeRoot().resolve(UUID.randomUUID().toString()));
        vmm(busy, "sleep 30; true");

        assertThat(reconciler.removeOrphanFolders()).containsExactly(orphan);
        assertThat(orphan).doesNotExist();
        assertThat(kept.stateDir()).isDirectory();
        assertThat(notOurs).isDirectory();
        assertThat(busy).isDirectory();
    }

    private static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 10 s").isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
