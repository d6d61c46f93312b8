package io.jkraft.profile;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The guest's slowdown under sampling, from its vCPU threads ({@link VcpuClock}): the share of the time they
 * ran while sampled against the share in a window just before, taken while the profiler loads symbols and
 * before it connects (QEMU stops the guest when a debugger connects).
 */
final class SlowdownMeter {
    /**
     * The window before sampling is at least this long (the symbols load meanwhile): a vCPU thread's run time
     * is brought up to date at its CPU's tick, so a shorter window would be off by more than a percent.
     */
    static final Duration BASELINE = Duration.ofMillis(400);
    private static final Path PROC = Path.of("/proc");

    private final VcpuClock clock;
    private VcpuClock.Reading baselineFrom;
    private VcpuClock.Reading baselineTo;
    private VcpuClock.Reading sampledFrom;
    private VcpuClock.Reading sampledTo;

    private SlowdownMeter(VcpuClock clock) {
        this.clock = clock;
        this.baselineFrom = clock == null ? null : clock.read().orElse(null);
    }

    /** Starts the window before sampling for QEMU process {@code pid} (null or unnamed threads: nothing to measure). */
    static SlowdownMeter start(Long pid) {
        return new SlowdownMeter(pid == null ? null : VcpuClock.of(PROC, pid).orElse(null));
    }

    /** Ends the window before sampling, waiting until it has lasted {@link #BASELINE}. */
    void endBaseline() throws InterruptedException {
        if (baselineFrom == null) {
            return;
        }
        long left = baselineFrom.atNanos() + BASELINE.toNanos() - System.nanoTime();
        if (left > 0) {
            Thread.sleep(Duration.ofNanos(left));
        }
        baselineTo = clock.read().orElse(null);
    }

    void samplingStarts() {
        sampledFrom = baselineTo == null ? null : clock.read().orElse(null);
    }

    void samplingEnded() {
        sampledTo = sampledFrom == null ? null : clock.read().orElse(null);
    }

    /** What the vCPUs did in both windows, when both were measured (not when the guest ended meanwhile). */
    Optional<VcpuTime> result() {
        if (sampledTo == null) {
            return Optional.empty();
        }
        return Optional.of(new VcpuTime(clock.runShare(baselineFrom, baselineTo), clock.runShare(sampledFrom, sampledTo),
                clock.waitShare(sampledFrom, sampledTo)));
    }
}
