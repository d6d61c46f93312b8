package io.jkraft.machine;

import io.jkraft.machine.api.HostNetwork;
import io.jkraft.machine.api.MachineSpec;
import io.jkraft.machine.store.MachineRecord;
import io.jkraft.machine.store.MachineStore;
import io.jkraft.machine.store.Reconciler;
import java.util.HashSet;
import java.util.Set;

/**
 * The host's side of machines on networks, for {@link MachineService}: the taps, made before a VMM starts and
 * removed when it ends, and what machines leave when they end unseen (their VMM and its waiter killed, or the
 * jkraft process starting them): taps, and port forwarders that their waiter would have ended. The addresses
 * are the store's ({@link MachineStore#prepareStart} leases them, the record of an end frees them).
 */
final class MachineNetworks {
    private final MachineStore store;
    private final Reconciler reconciler;
    private final HostNetwork host;

    MachineNetworks(MachineStore store, Reconciler reconciler, HostNetwork host) {
        this.store = store;
        this.reconciler = reconciler;
        this.host = host;
    }

    /** Refuses, before anything is recorded, a spec whose NICs this process could not attach. */
    void check(MachineSpec spec) {
        host.check(spec.networks());
    }

    /** Makes the taps of a machine about to start, from its record (the addresses its start leased). */
    void attach(MachineRecord r) {
        host.attach(r.id(), r.spec().networks());
    }

    /** Removes the machine's taps (the VMM's waiter removes them too; one killed with its VMM leaves them to this). */
    void detach(MachineRecord r) {
        host.detach(r.spec().networks());
    }

    /** Like {@link #detach}, after a failed start: a failure to remove them goes with the start's own. */
    void detachAfter(MachineRecord r, Exception failure) {
        try {
            detach(r);
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    /**
     * Sweeps what machines on networks left; run at every reconciliation of a store that has networks. Only
     * the taps of machines that run, or that a live jkraft process is starting, stay.
     */
    void sweep() {
        if (store.networks().list().isEmpty()) {
            return; // no network, so no tap or forwarder: ps starts no process
        }
        Set<String> keep = new HashSet<>();
        for (MachineRecord r : store.list()) {
            if (r.status().claimsProcess() || (r.owner() != null && r.owner().isAlive())) {
                keep.add(r.id());
            }
        }
        host.sweep(keep);
        // A forwarder outside its waiter (killed) belongs to no running machine: the reconciler calls it stale.
        reconciler.staleProcesses().stream()
                .filter(p -> !p.arguments().isEmpty() && p.arguments().getFirst().endsWith("socat"))
                .forEach(p -> ProcessHandle.of(p.pid()).ifPresent(ProcessHandle::destroyForcibly));
    }
}
