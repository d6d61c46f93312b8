package io.jkraft.profile;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** The sampling thread's policy as the kernel reports it (/proc/thread-self/sched: 0 normal, 3 batch). */
@EnabledOnOs(OS.LINUX)
class SamplerSchedulingTest {
    @Test
    void theCallingThreadBecomesABatchThreadAndThenANormalOneAgain() throws Exception {
        AtomicReference<String> seen = new AtomicReference<>();
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                String before = policy();
                boolean batch = SamplerScheduling.batch();
                String during = policy();
                SamplerScheduling.normal();
                seen.set(before + " " + batch + " " + during + " " + policy());
            } catch (Exception e) {
                seen.set(e.toString());
            }
        });
        t.join();
        assertThat(seen.get()).isEqualTo("0 true 3 0");
    }

    @Test
    void aVirtualThreadLeavesItsCarrierAlone() throws Exception {
        AtomicReference<Boolean> batch = new AtomicReference<>();
        Thread.ofVirtual().start(() -> batch.set(SamplerScheduling.batch())).join();
        assertThat(batch.get()).isFalse();
    }

    private static String policy() throws Exception {
        return Files.readAllLines(Path.of("/proc/thread-self/sched")).stream()
                .filter(l -> l.startsWith("policy"))
                .map(l -> l.replaceAll(".*:\\s*", ""))
                .findFirst().orElseThrow();
    }
}
