package io.jkraft.profile;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Locale;

/**
 * Linux's SCHED_BATCH for the sampling thread, so that it never preempts QEMU's threads when it wakes up.
 *
 * <p>A sample is one write, and QEMU answers it in eight socket writes (the stop reply, the registers, the
 * memory and an acknowledgement after each of our packets: QEMU 7.2 has no no-ack mode). Each of them wakes
 * the sampling thread, and a normal thread that wakes on the CPU where QEMU's main loop is answering takes
 * that CPU from it, reads a few bytes and waits again: the guest stays stopped through all those switches.
 * The timer that ends the sampler's sleep likewise takes the vCPU's CPU from the running guest. A batch
 * thread waits for its turn instead (its share of the CPU stays the same), so QEMU answers everything and
 * resumes the guest before the sampler reads. Measured on 2 host CPUs under TCG: from about 1,500 to 1,800-2,100
 * samples/s at most, and the guest's slowdown at 1000 Hz (its vCPU's lost run time) from 38 % to 23-27 %.
 */
final class SamplerScheduling {
    private static final int SCHED_OTHER = 0;
    private static final int SCHED_BATCH = 3;
    private static final MethodHandle SET_SCHEDULER = setScheduler();

    private SamplerScheduling() {}

    /** Makes the calling (platform) thread a batch thread; false where that is not possible (not Linux). */
    static boolean batch() {
        return set(SCHED_BATCH);
    }

    /** Makes the calling thread a normal thread again. */
    static void normal() {
        set(SCHED_OTHER);
    }

    private static boolean set(int policy) {
        if (SET_SCHEDULER == null || Thread.currentThread().isVirtual()) {
            return false; // a virtual thread's carrier is not this code's to change
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment param = arena.allocate(JAVA_INT); // struct sched_param { int sched_priority = 0; }
            return (int) SET_SCHEDULER.invokeExact(0, policy, param) == 0; // pid 0: the calling thread
        } catch (Throwable e) {
            return false;
        }
    }

    private static MethodHandle setScheduler() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            return null;
        }
        try {
            Linker linker = Linker.nativeLinker();
            return linker.defaultLookup().find("sched_setscheduler")
                    .map(f -> linker.downcallHandle(f, FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS)))
                    .orElse(null);
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }
}
