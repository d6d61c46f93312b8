package io.jkraft.machine.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
    /** USER_HZ: 100 on every Linux the JDK runs on (the tolerance above covers a coarser clock). */
    private static final long CLOCK_TICKS = 100;

    /** This JVM. */
    public static ProcessIdentity current() {
        ProcessHandle self = ProcessHandle.current();
        return new ProcessIdentity(self.pid(), startMillis(self));
    }

    /**
     * This JVM, its start time read from /proc the way the JDK computes it (boot time from /proc/stat plus
     * the start tick in /proc/self/stat), without {@code ProcessHandle.info()}, which also looks up the user
     * and the command line and cost `run` 5-20 ms before QEMU could start. Falls back to {@link #current}.
     */
    public static ProcessIdentity currentQuickly() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            // Fields after the command (which may hold spaces), from the 3rd: starttime is the 22nd.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long startTicks = Long.parseLong(fields[19]);
            for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
                if (line.startsWith("btime ")) {
                    long bootSeconds = Long.parseLong(line.substring(6).strip());
                    return new ProcessIdentity(ProcessHandle.current().pid(),
                            bootSeconds * 1000 + startTicks * 1000 / CLOCK_TICKS);
                }
            }
            return current();
        } catch (IOException | RuntimeException e) {
            return current();
        }
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
