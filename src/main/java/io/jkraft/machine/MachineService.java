package io.jkraft.machine;

import io.jkraft.common.GdbEndpoint;
import io.jkraft.common.UserException;
import io.jkraft.machine.qemu.Accelerator;
import io.jkraft.machine.qemu.ConsoleTail;
import io.jkraft.machine.qemu.GuestConsoleHints;
import io.jkraft.machine.qemu.MachineExit;
import io.jkraft.machine.qemu.QemuLauncher;
import io.jkraft.machine.qemu.QemuProcess;
import io.jkraft.machine.qemu.QemuStateDir;
import io.jkraft.machine.qemu.QmpClient;
import io.jkraft.machine.store.MachineRecord;
import io.jkraft.machine.store.MachineStatus;
import io.jkraft.machine.store.MachineStore;
import io.jkraft.machine.store.ProcessIdentity;
import io.jkraft.machine.store.Reconciler;
import io.jkraft.machine.store.StartIntent;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The machine lifecycle: run, start, stop, pause, remove, list and logs, over the store and the QEMU
 * driver. Every step writes the store first and the VMM second on the way up, and the reverse on the way
 * down, so a jkraft killed at any point leaves records that {@link Reconciler} can put right.
 */
public final class MachineService {
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);
    /** How long a detached run under KVM waits for its guest's first output (Unikraft prints within milliseconds). */
    private static final long DETACH_WATCH_MILLIS = 2000;
    /** How long ps waits for a running machine's monitor to say its state; a busy one is left as running. */
    private static final Duration STALL_QUERY = Duration.ofSeconds(1);

    private final MachineStore store;
    private final QemuLauncher launcher;
    private final Reconciler reconciler;

    public MachineService(MachineStore store, QemuLauncher launcher) {
        this.store = store;
        this.launcher = launcher;
        this.reconciler = new Reconciler(store);
    }

    /** A machine whose VMM has started. */
    public record Started(MachineRecord record, QemuProcess process, Accelerator accelerator) {}

    /**
     * Records a machine and boots it. The caller then either {@link #follow}s it or {@link #detach}es.
     *
     * @param paused create the machine without starting its vCPUs (--no-start)
     */
    public Started run(MachineSpec spec, boolean paused) {
        // The store's claims first: a port another machine publishes is then refused naming that machine,
        // where the operating system could only say that some process has it.
        MachineRecord record = store.create(spec);
        try {
            HostPorts.checkFree(spec.ports());
            HostPorts.checkGdbFree(spec.gdb());
        } catch (UserException e) {
            store.delete(record.id());
            throw e;
        }
        return boot(record, paused);
    }

    /**
     * Records a machine whose QEMU was started early (see {@link EarlyStart}) and resumes its guest
     * (unless it is to stay paused). When the machine cannot be recorded, QEMU is ended and its folder
     * removed before the error goes on.
     */
    public Started complete(EarlyStart early) {
        MachineRecord created;
        try {
            created = store.create(early.spec(), early.id());
        } catch (RuntimeException e) {
            early.abandon();
            throw e;
        }
        MachineRecord r = store.prepareStart(created.id());
        try {
            QemuProcess process = launcher.finish(early.plan(), early.spawned());
            StartIntent.clear(early.dir());
            return started(r, process, early.plan());
        } catch (IOException | RuntimeException e) {
            throw failedStart(r, e);
        }
    }

    /**
     * Streams the console to {@code out} until the guest ends, or until QEMU stops it for good (then QEMU is
     * ended); records how it ended. A guest that KVM failed on before its first console line, with the
     * accelerator left to jkraft, is started again once under TCG, and {@code notices} hears of it.
     */
    public MachineExit follow(Started started, OutputStream out, Consumer<String> notices) {
        Started current = started;
        try {
            while (true) {
                MachineExit exit = current.process().follow(out);
                if (current == started && kvmFailedAtOnce(current, exit)) {
                    notices.accept(fallBackNotice(exit));
                    current = bootUnderTcg(current, exit);
                    continue;
                }
                recordExit(current.record(), exit);
                return exit;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            store.release(started.record().id());
        }
    }

    private static boolean kvmFailedAtOnce(Started started, MachineExit exit) throws IOException {
        QemuStateDir state = new QemuStateDir(started.record().stateDir());
        return exit.acceleratorFailed() && started.accelerator().isKvm()
                && started.record().spec().acceleration() == Acceleration.AUTO
                && (!Files.exists(state.consoleLog()) || Files.size(state.consoleLog()) == 0);
    }

    private Started bootUnderTcg(Started failed, MachineExit exit) {
        MachineRecord r = store.markExited(failed.record().id(), exit.qemuExitCode());
        r = store.prepareStart(r.id());
        try {
            QemuLauncher.Plan plan = launcher.fallBackToTcg(r.spec(), r.stateDir(), false, exit.detail());
            return started(r, launcher.start(plan), plan);
        } catch (IOException | RuntimeException e) {
            throw failedStart(r, e);
        }
    }

    /** Leaves a started machine running without this process. */
    public void detach(Started started) {
        detach(started, notice -> { });
    }

    /**
     * Leaves a started machine running without this process. When jkraft chose KVM for it, it first waits
     * (at most {@value #DETACH_WATCH_MILLIS} ms) for the guest's first console output, so that a guest KVM
     * stops at once is started again under TCG here, as a foreground run's would be, and {@code notices}
     * hears of it. Returns the machine as it is left.
     */
    public Started detach(Started started, Consumer<String> notices) {
        Started current = started;
        try {
            if (started.accelerator().isKvm() && started.record().spec().acceleration() == Acceleration.AUTO
                    && started.record().status() == MachineStatus.RUNNING) {
                Optional<MachineExit> stopped = started.process().watchFirstOutput(Duration.ofMillis(DETACH_WATCH_MILLIS));
                if (stopped.isPresent() && kvmFailedAtOnce(started, stopped.get())) {
                    notices.accept(fallBackNotice(stopped.get()));
                    current = bootUnderTcg(started, stopped.get());
                } else if (stopped.isPresent()) {
                    recordExit(started.record(), stopped.get());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            current.process().release();
            store.release(started.record().id());
        }
        return current;
    }

    private static String fallBackNotice(MachineExit exit) {
        return "KVM could not run the guest (" + exit.detail() + "); starting it again with TCG emulation, which "
                + "later runs with this QEMU use at once";
    }

    /** Every machine, with records corrected against the processes that really run. */
    public List<MachineRecord> list() {
        reconciler.reconcile();
        List<MachineRecord> all = store.list();
        return all.stream().anyMatch(this::endIfStalled) ? store.list() : all;
    }

    public MachineRecord inspect(String name) {
        reconciler.reconcile();
        MachineRecord r = store.get(name);
        return endIfStalled(r) ? store.get(r.id()) : r;
    }

    /**
     * Ends a running machine that nobody follows (a detached one) whose QEMU stopped the guest for good
     * (internal-error, guest-panicked, ...), recording why first: such a guest cannot go on, and a record
     * saying "running" would be a lie. A foreground run's own follower does this for its machine.
     */
    private boolean endIfStalled(MachineRecord r) {
        if (r.status() != MachineStatus.RUNNING || (r.owner() != null && r.owner().isAlive())) {
            return false;
        }
        QemuProcess process = attach(r);
        if (!process.saysStalled()) {
            return false;
        }
        Optional<String> stalled = process.stalledState(STALL_QUERY);
        if (stalled.isEmpty()) {
            return false;
        }
        try {
            MachineExit exit = process.markStalled(stalled.get());
            store.markErrored(r.id(), exit.detail());
            process.stop(STOP_GRACE);
        } catch (IOException | RuntimeException e) {
            // Another process settled or removed it meanwhile; the next look sees what it did.
        }
        return true;
    }

    /** Starts an existing machine that is not running. */
    public Started start(String name) {
        reconciler.reconcile();
        MachineRecord r = store.get(name);
        if (r.status() == MachineStatus.RUNNING || r.status() == MachineStatus.PAUSED) {
            throw new UserException("machine " + r.name() + " is already " + r.status().word(), null);
        }
        // A jkraft killed while starting it may have left a QEMU in the machine's folder, holding its ports.
        boolean ended = !reconciler.endStaleProcesses(r.id(), STOP_GRACE).isEmpty();
        checkPortsFree(r.spec(), ended);
        HostPorts.checkGdbFree(r.spec().gdb());
        return boot(r, false);
    }

    /** Stops a running or paused machine; a machine that is not running is left as it is. */
    public MachineRecord stop(String name) {
        reconciler.reconcile();
        MachineRecord r = store.get(name);
        if (r.status() != MachineStatus.RUNNING && r.status() != MachineStatus.PAUSED) {
            return r;
        }
        try {
            recordExit(r, attach(r).stop(STOP_GRACE));
        } catch (IOException e) {
            throw new UserException("cannot stop " + r.name() + ": " + e.getMessage(), null, e);
        }
        return store.get(r.id());
    }

    public MachineRecord pause(String name) {
        MachineRecord r = running(name, MachineStatus.RUNNING, "pause");
        qmp(r, QmpClient::stop);
        return store.markPaused(r.id());
    }

    public MachineRecord unpause(String name) {
        MachineRecord r = running(name, MachineStatus.PAUSED, "unpause");
        qmp(r, QmpClient::cont);
        return store.markResumed(r.id());
    }

    /**
     * Opens QEMU's gdbstub on a running or paused machine that was started without one, through the
     * monitor's {@code gdbserver}, on 127.0.0.1:{@code port} (0: a free port), and records it. A machine
     * that already has one keeps it. Returns the machine with its port.
     */
    public MachineRecord openGdbStub(String name, int port) {
        reconciler.reconcile();
        MachineRecord r = store.get(name);
        if (r.status() != MachineStatus.RUNNING && r.status() != MachineStatus.PAUSED) {
            throw new UserException("cannot open a gdbstub on " + r.name() + ": it is " + r.status().word(),
                    "start it first with `jkraft start " + r.name() + "`");
        }
        if (r.spec().gdb() != null) {
            return r;
        }
        GdbEndpoint chosen = new GdbEndpoint.Tcp(port == 0 ? HostPorts.freeLoopbackPort() : port);
        HostPorts.checkGdbFree(chosen);
        qmp(r, q -> {
            // The monitor answers a failure to listen with text, not a QMP error.
            String answer = q.humanMonitor("gdbserver " + chosen.qemuDevice());
            if (answer.contains("Could not")) {
                throw new IOException("gdbserver: " + answer.strip());
            }
        });
        return store.recordGdb(r.id(), chosen);
    }

    /** Removes a machine and everything it left; a running one only with {@code force} (then stopped first). */
    public void remove(String name, boolean force) {
        reconciler.reconcile();
        MachineRecord r = store.get(name);
        if (r.status() == MachineStatus.RUNNING || r.status() == MachineStatus.PAUSED) {
            if (!force) {
                throw new UserException("machine " + r.name() + " is " + r.status().word(),
                        "stop it first (`jkraft stop " + r.name() + "`), or remove it with -f");
            }
            stop(r.id());
        }
        awaitRelease(r.id());
        // The folder goes with the record: nothing may still run in it (a QEMU left by a killed start).
        reconciler.endStaleProcesses(r.id(), STOP_GRACE);
        store.delete(r.id());
    }

    /**
     * Gives a live jkraft process that owns the machine a moment to let go. A foreground run records the
     * end of its machine and releases it right after a stop from elsewhere; removing before that would
     * fail on its ownership. If it does not let go, {@link MachineStore#delete} says who holds it.
     */
    private void awaitRelease(String id) {
        long deadline = System.nanoTime() + STOP_GRACE.toNanos();
        long self = ProcessHandle.current().pid();
        while (System.nanoTime() < deadline) {
            ProcessIdentity owner = store.byId(id).map(MachineRecord::owner).orElse(null);
            if (owner == null || owner.pid() == self || !owner.isAlive()) {
                return;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Removes every machine (stopping running ones) and kills VMMs that no record accounts for. */
    public List<String> removeAll() {
        List<String> removed = new ArrayList<>();
        for (MachineRecord r : list()) {
            remove(r.id(), true);
            removed.add(r.name());
        }
        reconciler.staleProcesses().forEach(stale ->
                ProcessHandle.of(stale.pid()).ifPresent(ProcessHandle::destroyForcibly));
        reconciler.removeOrphanFolders();
        return removed;
    }

    /** Copies the machine's console log to {@code out}; with {@code follow}, until the machine ends. */
    public void logs(String name, boolean follow, OutputStream out) {
        MachineRecord r = inspect(name);
        QemuStateDir state = new QemuStateDir(r.stateDir());
        try {
            if (!Files.exists(state.consoleLog())) {
                return;
            }
            QemuProcess process = attach(r);
            new ConsoleTail(state.consoleLog()).follow(out, 0, () -> !follow || !process.isRunning());
            process.copyStoppedAccount(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Refuses ports another process holds. Right after ending a machine's old VMM, it is given a moment to
     * let go of them: an exiting process loses its memory (and with it the command line by which it was
     * seen to be gone) before its files and sockets are closed.
     */
    private static void checkPortsFree(MachineSpec spec, boolean vmmJustEnded) {
        long deadline = System.nanoTime() + (vmmJustEnded ? STOP_GRACE.toNanos() : 0);
        while (true) {
            try {
                HostPorts.checkFree(spec.ports());
                return;
            } catch (UserException e) {
                if (System.nanoTime() >= deadline) {
                    throw e;
                }
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                HostPorts.checkFree(spec.ports());
                return;
            }
        }
    }

    private Started boot(MachineRecord created, boolean paused) {
        MachineRecord r = store.prepareStart(created.id());
        try {
            QemuLauncher.Plan plan = launcher.plan(r.spec(), r.stateDir(), paused);
            return started(r, launcher.start(plan), plan);
        } catch (IOException | RuntimeException e) {
            throw failedStart(r, e);
        }
    }

    private Started started(MachineRecord r, QemuProcess process, QemuLauncher.Plan plan) {
        MachineRecord running = store.markRunning(r.id(), process.pid());
        if (plan.startPaused()) {
            running = store.markPaused(r.id());
        }
        return new Started(running, process, plan.accelerator());
    }

    private UserException failedStart(MachineRecord r, Exception e) {
        store.markErrored(r.id(), e.getMessage());
        store.release(r.id());
        if (e instanceof UserException u) {
            return u;
        }
        return new UserException("cannot start " + r.name() + ": " + e.getMessage(), null, e);
    }

    private void recordExit(MachineRecord r, MachineExit exit) {
        if (exit.outcome() == MachineExit.Outcome.LOST || exit.stoppedByQemu()) {
            store.markErrored(r.id(), exit.detail());
        } else {
            store.markExited(r.id(), exit.qemuExitCode());
        }
    }

    private MachineRecord running(String name, MachineStatus required, String action) {
        reconciler.reconcile();
        MachineRecord r = store.get(name);
        if (r.status() != required) {
            throw new UserException("cannot " + action + " " + r.name() + ": it is " + r.status().word(), null);
        }
        return r;
    }

    private interface QmpAction {
        void apply(QmpClient qmp) throws IOException;
    }

    private void qmp(MachineRecord r, QmpAction action) {
        try (QmpClient q = attach(r).qmp()) {
            action.apply(q);
        } catch (IOException e) {
            throw new UserException("cannot reach " + r.name() + "'s QEMU monitor: " + e.getMessage(), null, e);
        }
    }

    private static QemuProcess attach(MachineRecord r) {
        QemuStateDir state = new QemuStateDir(r.stateDir());
        return QemuProcess.attach(state, new GuestConsoleHints.Context(true, r.spec().memoryBytes(), state.consoleLog()));
    }
}
