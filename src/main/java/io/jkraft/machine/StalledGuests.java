package io.jkraft.machine;

import io.jkraft.machine.api.MachineExit;
import io.jkraft.machine.api.VmmProcess;
import io.jkraft.machine.store.MachineRecord;
import io.jkraft.machine.store.MachineStatus;
import io.jkraft.machine.store.MachineStore;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

/**
 * Ends a running machine that nobody follows (a detached one) whose VMM stopped the guest for good (an
 * accelerator's internal error, a panic), recording why first: such a guest cannot go on, and a record saying
 * "running" would be a lie. A foreground run's own follower does this for its machine.
 */
final class StalledGuests {
    /** How long ps waits for a running machine's monitor to say its state; a busy one is left as running. */
    private static final Duration STALL_QUERY = Duration.ofSeconds(1);

    private final MachineStore store;
    private final Function<MachineRecord, VmmProcess> attach;
    private final Duration stopGrace;

    StalledGuests(MachineStore store, Function<MachineRecord, VmmProcess> attach, Duration stopGrace) {
        this.store = store;
        this.attach = attach;
        this.stopGrace = stopGrace;
    }

    /** Whether the machine was stalled, and is now recorded errored (its addresses freed) and ended. */
    boolean endIfStalled(MachineRecord r) {
        if (r.status() != MachineStatus.RUNNING || (r.owner() != null && r.owner().isAlive())) {
            return false;
        }
        VmmProcess process = attach.apply(r);
        Optional<MachineExit> stalled = process.stalled(STALL_QUERY);
        if (stalled.isEmpty()) {
            return false;
        }
        try {
            store.markErrored(r.id(), stalled.get().detail());
            process.stop(stopGrace);
        } catch (IOException | RuntimeException e) {
            // Another process settled or removed it meanwhile; the next look sees what it did.
        }
        return true;
    }
}
