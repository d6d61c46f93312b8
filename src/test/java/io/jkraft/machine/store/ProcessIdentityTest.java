package io.jkraft.machine.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProcessIdentityTest {
    @Test
    void theQuickIdentityFromProcIsTheJdksOwn() {
        ProcessIdentity quick = ProcessIdentity.currentQuickly();
        ProcessIdentity jdk = ProcessIdentity.current();
        assertThat(quick.pid()).isEqualTo(jdk.pid());
        assertThat(quick.startedMillis()).isCloseTo(jdk.startedMillis(), org.assertj.core.data.Offset.offset(20L));
        assertThat(quick.isAlive()).isTrue();
        assertThat(new ProcessIdentity(quick.pid(), quick.startedMillis() - 60_000).isAlive())
                .as("a process of that pid that started a minute earlier is another one").isFalse();
    }
}
