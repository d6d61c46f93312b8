package io.jkraft.profile;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * {@link VcpuClock} on this JVM's own threads, named as QEMU names vCPU threads (the JVM gives a Java
 * thread's name to its native thread): the scheduler's counters of a spinning thread and of a sleeping one.
 */
@EnabledOnOs(OS.LINUX)
class VcpuClockTest {
    private static final Path PROC = Path.of("/proc");
    private static final long SELF = ProcessHandle.current().pid();

    @Test
    void aProcessWithoutVcpuThreadsHasNoClock() {
        assertThat(VcpuClock.of(PROC, SELF)).isEmpty();
        assertThat(VcpuClock.of(PROC, Long.MAX_VALUE)).as("no such process").isEmpty();
    }

    @Test
    void aSpinningVcpuThreadRunsAndASleepingOneDoesNot() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch started = new CountDownLatch(2);
        Thread spinning = Thread.ofPlatform().name("CPU 0/TCG").start(() -> {
            started.countDown();
            long x = 0;
            while (!stop.get()) {
                x += System.nanoTime();
            }
            assertThat(x).isNotZero();
        });
        Thread sleeping = Thread.ofPlatform().name("CPU 1/TCG").start(() -> {
            started.countDown();
            while (!stop.get()) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        try {
            started.await();
            VcpuClock clock = VcpuClock.of(PROC, SELF).orElseThrow();
            assertThat(clock.vcpus()).isEqualTo(2);
            VcpuClock.Reading from = clock.read().orElseThrow();
            Thread.sleep(300);
            VcpuClock.Reading to = clock.read().orElseThrow();

            // One of two vCPUs spins: their share is about a half at most (give or take a tick), well above nothing.
            assertThat(clock.runShare(from, to)).isBetween(0.05, 0.55);
            assertThat(clock.waitShare(from, to)).isBetween(0.0, 0.5);
            assertThat(to.runNanos()).isGreaterThan(from.runNanos());

            stop.set(true);
            spinning.join();
            // The native thread ends a moment after the Java thread.
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (clock.read().isPresent() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(clock.read()).as("a vCPU thread that is gone ends the readings").isEmpty();
        } finally {
            stop.set(true);
            spinning.join();
            sleeping.join();
        }
    }

    @Test
    void anIdleGuestHasNoSlowdownAndABusyOneLosesWhatItDidNotRun() {
        assertThat(new VcpuTime(0.1, 0.05, 0).slowdown()).isEmpty();
        assertThat(new VcpuTime(1.0, 0.96, 0.01).slowdown()).hasValueSatisfying(s -> assertThat(s).isCloseTo(0.04,
                org.assertj.core.data.Offset.offset(1e-9)));
    }
}
