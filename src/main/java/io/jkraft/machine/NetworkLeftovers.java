package io.jkraft.machine;

import io.jkraft.machine.api.HostNetwork;
import io.jkraft.machine.store.MachineRecord;
import io.jkraft.machine.store.MachineStore;
import io.jkraft.machine.store.Reconciler;
import java.util.HashSet;
import java.util.Set;

/**
 * What machines on networks leave when they end unseen (their VMM and its waiter killed, or the jkraft process
 * starting them): taps, and port forwarders that their waiter would have ended. Swept at every reconciliation
 * of a store that has networks; only those of machines that run, or that a live jkraft process is starting, stay.
 */
final class NetworkLeftovers {
    private final MachineStore store;
    private final Reconciler reconciler;
    private final HostNetwork host;

    NetworkLeftovers(MachineStore store, Reconciler reconciler, HostNetwork host) {
        this.store = store;
        this.reconciler = reconciler;
        this.host = host;
    }

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
