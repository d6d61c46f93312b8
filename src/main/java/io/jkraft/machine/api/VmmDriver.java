package io.jkraft.machine.api;

import io.jkraft.common.Platform;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * One virtual machine monitor (QEMU, Firecracker, Xen): how to start a machine on it and how to reach one it
 * runs. A driver keeps nothing about machines in memory: everything it needs later is in the machine's state
 * folder, so that another jkraft process can {@link #attach} to a machine this one started.
 *
 * <p>A driver follows the marker convention of {@code machine.store.VmmMarker}: the state folder's path is in
 * the argv of every process running the machine, and whoever waits for the VMM writes its exit status to
 * {@code <state folder>/exit-code} (a temporary file, then a rename).
 */
public interface VmmDriver {

    /** The platform this driver runs. */
    Platform platform();

    /**
     * Decides everything about running {@code spec} before anything starts (the VMM's binary, the accelerator,
     * its arguments); a spec it cannot run is a {@code UserException} saying why.
     *
     * @param stateDir    the machine's state folder, created by the caller's store
     * @param startPaused keep the guest's vCPUs stopped after the start (--no-start)
     */
    VmmPlan plan(MachineSpec spec, Path stateDir, boolean startPaused);

    /** Starts the VMM for a plan with the guest not yet running, and returns without waiting for it. */
    VmmStart spawn(VmmPlan plan) throws IOException;

    /** A handle on a machine started earlier for {@code spec} in {@code stateDir}, possibly by another process. */
    VmmProcess attach(MachineSpec spec, Path stateDir);

    /**
     * For a machine that just ended as {@code exit} in its first start: another way to start it, when the driver
     * knows that ending as its own choice gone wrong (KVM that it chose failing on the guest at once), else empty.
     */
    default Optional<Retry> retry(VmmPlan failed, MachineExit exit) {
        return Optional.empty();
    }

    /**
     * The exit status to show for a machine that exited: the guest's own where the VMM encodes it in its exit
     * status (QEMU's isa-debug-exit), else the VMM's.
     */
    int guestExitStatus(int vmmExitCode);

    /** A plan to start a machine again, and what to tell the user about it. */
    record Retry(VmmPlan plan, String notice) {}
}
