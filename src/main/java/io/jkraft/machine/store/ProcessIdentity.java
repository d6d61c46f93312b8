package io.jkraft.machine.store;

import java.time.Instant;
import java.util.Optional;

/**
 * A process told apart from later processes that reuse its pid: the pid plus the moment it started.
 *
 * @param pid          the process id
 * @param startedMillis when the process started (epoch milliseconds), or 0 when the system did not say
 */
public record ProcessIdentity(long pid, long startedMillis) {
    /*
     * The JDK derives start times from clock ticks since boot and a boot time in whole seconds, so two
     * JVMs can disagree by a few milliseconds; a pid reused within this window is not a practical risk.
     */
    private static final long START_TOLERANCE_MILLIS = 1000;

    /** This JVM. */
    public static ProcessIdentity current() {
        ProcessHandle self = ProcessHandle.current();
        return new ProcessIdentity(self.pid(), startMillis(self));
    }

    /** Whether this very process is still alive (a process reusing the pid does not count). */
    public boolean isAlive() {
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty() || !handle.get().isAlive()) {
            return false;
        }
        long started = startMillis(handle.get());
        return startedMillis == 0 || started == 0 || Math.abs(started - startedMillis) <= START_TOLERANCE_MILLIS;
    }

    private static long startMillis(ProcessHandle handle) {
        return handle.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
    }
}
