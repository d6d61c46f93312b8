package io.jkraft.profile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * How much a guest's vCPUs get to run, as the host's scheduler counts it: QEMU names each vCPU's thread
 * {@code CPU n/TCG} or {@code CPU n/KVM} (with {@code -name debug-threads=on}), and Linux keeps each thread's
 * time on a CPU and time waiting for one in {@code /proc/PID/task/TID/schedstat}.
 *
 * <p>This is how the profiler measures the guest's slowdown: a busy vCPU's thread runs nearly all the time,
 * and a sample takes from that both the time the vCPU is stopped and any CPU the profiler competes for. The
 * guest's own progress would say the same, but the host's speed drifts by more than the effect (a spinning
 * guest's progress varies by 20 % from second to second on a shared machine, at the same run time).
 */
final class VcpuClock {
    private static final Pattern VCPU_THREAD = Pattern.compile("CPU \\d+/\\w+");

    private final List<Path> threads;

    private VcpuClock(List<Path> threads) {
        this.threads = threads;
    }

    /** What the scheduler counted for the vCPU threads up to one instant. */
    record Reading(long atNanos, long runNanos, long waitNanos) {}

    /** The vCPU threads of QEMU process {@code pid}, or empty when it has none by name (or is gone). */
    static Optional<VcpuClock> of(Path proc, long pid) {
        Path tasks = proc.resolve(Long.toString(pid)).resolve("task");
        try (Stream<Path> listing = Files.list(tasks)) {
            List<Path> vcpus = new ArrayList<>();
            for (Path task : listing.sorted().toList()) {
                if (VCPU_THREAD.matcher(readOrEmpty(task.resolve("comm")).strip()).matches()) {
                    vcpus.add(task);
                }
            }
            return vcpus.isEmpty() ? Optional.empty() : Optional.of(new VcpuClock(List.copyOf(vcpus)));
        } catch (IOException | UncheckedIOException e) {
            return Optional.empty();
        }
    }

    int vcpus() {
        return threads.size();
    }

    /** The counters now, or empty when a vCPU thread is gone (the guest ended). */
    Optional<Reading> read() {
        long now = System.nanoTime();
        long run = 0;
        long wait = 0;
        for (Path thread : threads) {
            String[] fields = readOrEmpty(thread.resolve("schedstat")).strip().split(" ");
            if (fields.length < 2) {
                return Optional.empty();
            }
            try {
                run += Long.parseLong(fields[0]);
                wait += Long.parseLong(fields[1]);
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        return Optional.of(new Reading(now, run, wait));
    }

    /**
     * The share of the time between two readings that the vCPUs ran, per vCPU (1.0 = all of it). The kernel
     * brings a running thread's count up to date at its CPU's tick (a few ms), so a share over a short time
     * can be off by a tick either way, and even exceed 1; it is not clipped, which would bias it.
     */
    double runShare(Reading from, Reading to) {
        return share(to.runNanos() - from.runNanos(), from, to);
    }

    /** The share of the time between two readings that the vCPUs were ready to run but had no CPU. */
    double waitShare(Reading from, Reading to) {
        return share(to.waitNanos() - from.waitNanos(), from, to);
    }

    private double share(long nanos, Reading from, Reading to) {
        long wall = (to.atNanos() - from.atNanos()) * threads.size();
        return wall <= 0 ? 0 : (double) nanos / wall;
    }

    private static String readOrEmpty(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }
}
