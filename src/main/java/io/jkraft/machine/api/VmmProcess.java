package io.jkraft.machine.api;

import io.jkraft.common.GdbEndpoint;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Optional;

/**
 * One running (or ended) VMM of a machine. Handles are cheap and hold nothing but what {@link #release} lets go
 * of; they read the machine's state folder, so any process may have one.
 */
public interface VmmProcess {

    /** The VMM's process id, or -1 when it was never recorded. */
    long pid();

    boolean isRunning();

    /** Stops the guest's vCPUs. */
    void pause() throws IOException;

    /** Lets a paused guest run again. */
    void resume() throws IOException;

    /** Ends the VMM: politely first, then by signals if it has not ended within {@code grace}. */
    MachineExit stop(Duration grace) throws IOException;

    /** Copies the guest's console to {@code out} as it grows until the machine ends; returns how it ended. */
    MachineExit follow(OutputStream out) throws IOException;

    /** How the machine ended, or empty while it runs. */
    Optional<MachineExit> exit() throws IOException;

    /**
     * For a machine left running: waits until the guest's first output, its end or {@code limit}. Returns how it
     * ended when the VMM stopped it for good meanwhile (the VMM has then been ended), else empty.
     */
    Optional<MachineExit> watchFirstOutput(Duration limit) throws IOException;

    /**
     * Whether the VMM stopped the guest for good while nobody followed it (an accelerator's internal error, a
     * panic): then the reason is written in the state folder and the ending returned, the VMM still to be
     * {@link #stop}ped. Empty while the guest can go on, or when the VMM does not answer within {@code patience}.
     */
    Optional<MachineExit> stalled(Duration patience);

    /** Opens a gdbstub at {@code endpoint} on a machine started without one. */
    void openGdbStub(GdbEndpoint endpoint) throws IOException;

    /**
     * Copies the console log to {@code out}, then the VMM's own account of a guest it stopped for good; with
     * {@code follow}, the console until the machine ends.
     */
    void copyLogs(OutputStream out, boolean follow) throws IOException;

    /** Lets go of whatever this handle holds open (a detached run: nobody follows the machine from here). */
    void release();
}
