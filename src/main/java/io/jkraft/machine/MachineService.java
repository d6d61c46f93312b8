package io.jkraft.machine;

import io.jkraft.common.GdbEndpoint;
import io.jkraft.common.UserException;
import io.jkraft.machine.api.HostNetwork;
import io.jkraft.machine.api.MachineExit;
import io.jkraft.machine.api.MachineSpec;
import io.jkraft.machine.api.VmmDriver;
import io.jkraft.machine.api.VmmPlan;
import io.jkraft.machine.api.VmmProcess;
import io.jkraft.machine.store.MachineRecord;
import io.jkraft.machine.store.MachineStatus;
import io.jkraft.machine.store.MachineStore;
import io.jkraft.machine.store.ProcessIdentity;
import io.jkraft.machine.store.Reconciler;
import io.jkraft.machine.store.StartIntent;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The machine lifecycle: run, start, stop, pause, remove, list and logs, over the store and the machine
 * drivers (one per platform, {@link VmmDrivers}), of which it knows only {@link VmmDriver}. Every step writes the store first and the VMM second on the way up, and the reverse on the way
 * down, so a jkraft killed at any point leaves records that {@link Reconciler} can put right.
 */
public final class MachineService {
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);

    private final MachineStore store;
    private final VmmDrivers drivers;
    private final Reconciler reconciler;
    private final MachineNetworks networks;
    private final StalledGuests stalls;

    public MachineService(MachineStore store, VmmDrivers drivers) {
        this(store, drivers, HostNetwork.NONE);
    }

    /** @param host makes and removes the taps of machines on networks */
    public MachineService(MachineStore store, VmmDrivers drivers, HostNetwork host) {
        this.store = store;
        this.drivers = drivers;
        this.reconciler = new Reconciler(store);
        this.networks = new MachineNetworks(store, reconciler, host);
        this.stalls = new StalledGuests(store, this::attach, STOP_GRACE);
    }

    /** A machine whose VMM has started, as {@code plan} said. */
    public record Started(MachineRecord record, VmmProcess process, VmmPlan plan) {}

    /**
     * Records a machine and boots it. The caller then either {@link #follow}s it or {@link #detach}es.
     *
     * @param paused create the machine without starting its vCPUs (--no-start)
     */
    public Started run(MachineSpec spec, boolean paused) {
        // A platform without a driver is refused before anything is recorded.
        drivers.forSpec(spec);
        networks.check(spec);
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
     * Records a machine whose VMM was started early (see {@link EarlyStart}) and resumes its guest
     * (unless it is to stay paused). When the machine cannot be recorded, the VMM is ended and its folder
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
            VmmProcess process = early.spawned().finish();
            StartIntent.clear(early.dir());
            return started(r, process, early.plan());
        } catch (IOException | RuntimeException e) {
            throw failedStart(r, e);
        }
    }

    /**
     * Streams the console to {@code out} until the guest ends, or until the VMM stops it for good (then the
     * VMM is ended); records how it ended. A first start that its driver knows to have failed by its own
     * choice (KVM failing on the guest at once) is started again once as the driver says, and {@code notices}
     * hears of it.
     */
    public MachineExit follow(Started started, OutputStream out, Consumer<String> notices) {
        Started current = started;
        try {
            while (true) {
                MachineExit exit = current.process().follow(out);
                Optional<VmmDriver.Retry> retry = current == started ? driver(current.record()).retry(current.plan(), exit)
                        : Optional.empty();
                if (retry.isPresent()) {
                    notices.accept(retry.get().notice());
                    current = bootAgain(current, retry.get().plan());
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

    private Started bootAgain(Started failed, VmmPlan plan) {
        MachineRecord r = store.markRetrying(failed.record().id());
        r = store.prepareStart(r.id());
        try {
            networks.attach(r); // the first VMM's waiter removed its taps as it ended
            return started(r, driver(r).spawn(plan).finish(), plan);
        } catch (IOException | RuntimeException e) {
            throw failedStart(r, e);
        }
    }

    /** Leaves a started machine running without this process. */
    public void detach(Started started) {
        detach(started, notice -> { });
    }

    /**
     * Leaves a started machine running without this process. When its plan asks for it (KVM chosen by jkraft),
     * it first waits a moment for the guest's first console output, so that a guest the plan fails at once is
     * started again here as the driver says, as a foreground run's would be, and {@code notices} hears of it.
     * Returns the machine as it is left.
     */
    public Started detach(Started started, Consumer<String> notices) {
        Started current = started;
        try {
            Duration watch = started.plan().firstOutputWatch();
            if (!watch.isZero() && started.record().status() == MachineStatus.RUNNING) {
                Optional<MachineExit> stopped = started.process().watchFirstOutput(watch);
                Optional<VmmDriver.Retry> retry = stopped.flatMap(exit -> driver(started.record()).retry(started.plan(), exit));
                if (retry.isPresent()) {
                    notices.accept(retry.get().notice());
                    current = bootAgain(started, retry.get().plan());
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

    /** Every machine, with records corrected against the processes that really run. */
    public List<MachineRecord> list() {
        reconcile();
        List<MachineRecord> all = store.list();
        return all.stream().anyMatch(stalls::endIfStalled) ? store.list() : all;
    }

    public MachineRecord inspect(String name) {
        reconcile();
        MachineRecord r = store.get(name);
        return stalls.endIfStalled(r) ? store.get(r.id()) : r;
    }

    /** Corrects the records, then sweeps what machines on networks left ({@link MachineNetworks#sweep}). */
    private void reconcile() {
        reconciler.reconcile();
        networks.sweep();
    }

    /** Starts an existing machine that is not running. */
    public Started start(String name) {
        reconciler.reconcile();
        MachineRecord r = store.get(name);
        if (r.status() == MachineStatus.RUNNING || r.status() == MachineStatus.PAUSED) {
            throw new UserException("machine " + r.name() + " is already " + r.status().word(), null);
        }
        networks.check(r.spec());
        // A jkraft killed while starting it may have left a VMM in the machine's folder, holding its ports.
        boolean ended = !reconciler.endStaleProcesses(r.id(), STOP_GRACE).isEmpty();
        HostPorts.checkFree(r.spec().ports(), ended ? STOP_GRACE : Duration.ZERO);
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
        vmm(r, VmmProcess::pause);
        return store.markPaused(r.id());
    }

    public MachineRecord unpause(String name) {
        MachineRecord r = running(name, MachineStatus.PAUSED, "unpause");
        vmm(r, VmmProcess::resume);
        return store.markResumed(r.id());
    }

    /**
     * Opens a gdbstub on a running or paused machine that was started without one, on
     * 127.0.0.1:{@code port} (0: a free port), and records it. A machine
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
        vmm(r, process -> process.openGdbStub(chosen));
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
        // The folder goes with the record: nothing may still run in it (a VMM left by a killed start).
        reconciler.endStaleProcesses(r.id(), STOP_GRACE);
        networks.detach(r);
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
        networks.sweep();
        return removed;
    }

    /** Copies the machine's console log to {@code out}; with {@code follow}, until the machine ends. */
    public void logs(String name, boolean follow, OutputStream out) {
        MachineRecord r = inspect(name);
        try {
            attach(r).copyLogs(out, follow);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Started boot(MachineRecord created, boolean paused) {
        MachineRecord r = store.prepareStart(created.id());
        try {
            VmmDriver driver = driver(r);
            VmmPlan plan = driver.plan(r.spec(), r.stateDir(), paused);
            networks.attach(r);
            return started(r, driver.spawn(plan).finish(), plan);
        } catch (IOException | RuntimeException e) {
            throw failedStart(r, e);
        }
    }

    private Started started(MachineRecord r, VmmProcess process, VmmPlan plan) {
        MachineRecord running = store.markRunning(r.id(), process.pid());
        if (plan.startPaused()) {
            running = store.markPaused(r.id());
        }
        return new Started(running, process, plan);
    }

    private UserException failedStart(MachineRecord r, Exception e) {
        store.markErrored(r.id(), e.getMessage()); // which frees its addresses
        networks.detachAfter(r, e);
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
            store.markExited(r.id(), exit.vmmExitCode());
        }
        networks.detach(r);
    }

    private MachineRecord running(String name, MachineStatus required, String action) {
        reconciler.reconcile();
        MachineRecord r = store.get(name);
        if (r.status() != required) {
            throw new UserException("cannot " + action + " " + r.name() + ": it is " + r.status().word(), null);
        }
        return r;
    }

    private interface VmmAction {
        void apply(VmmProcess process) throws IOException;
    }

    private void vmm(MachineRecord r, VmmAction action) {
        try {
            action.apply(attach(r));
        } catch (IOException e) {
            throw new UserException("cannot reach " + r.name() + "'s " + r.spec().platform() + " VMM: " + e.getMessage(),
                    null, e);
        }
    }

    /** The exit status to show for a machine that exited (the guest's own where its VMM tells it), or null. */
    public Integer guestExitStatus(MachineRecord r) {
        return r.exitCode() == null ? null : driver(r).guestExitStatus(r.exitCode());
    }

    private VmmDriver driver(MachineRecord r) {
        return drivers.forSpec(r.spec());
    }

    private VmmProcess attach(MachineRecord r) {
        return driver(r).attach(r.spec(), r.stateDir());
    }
}
