package io.jkraft.machine.store;

import java.util.Locale;

/** Where a machine is in its life, as {@code jkraft ps} shows it. */
public enum MachineStatus {
    /** Recorded, never started (or being started right now). */
    CREATED,
    /** A VMM process is running it. */
    RUNNING,
    /** The VMM is alive but the guest's CPUs are stopped. */
    PAUSED,
    /** The VMM ended and left an exit code. */
    EXITED,
    /** The machine failed to start, or its VMM vanished without an exit code. */
    ERRORED;

    /** The word stored in the database and printed to users. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    static MachineStatus ofWord(String word) {
        return valueOf(word.toUpperCase(Locale.ROOT));
    }

    /** Whether the record claims a live VMM, which only a reconciler may contradict. */
    public boolean claimsProcess() {
        return this == RUNNING || this == PAUSED;
    }

    /**
     * Whether the machine holds the addresses of its network interfaces: from its record (or a start) until it
     * stops running, as a Docker container holds its IP only while it runs.
     */
    public boolean holdsAddresses() {
        return this == CREATED || claimsProcess();
    }
}
