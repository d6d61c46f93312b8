package io.jkraft.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jkraft.profile.gdb.GdbClient.Block;
import io.jkraft.profile.sample.GuestMemory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrefetchedMemoryTest {
    private final List<Long> guestReads = new ArrayList<>();
    private final GuestMemory guest = (address, length) -> {
        guestReads.add(address);
        byte[] b = new byte[length];
        b[0] = 42;
        return b;
    };

    @Test
    void readsInsideTheBlockAreCopiesAndOthersGoToTheGuest() throws Exception {
        byte[] block = new byte[16];
        for (int i = 0; i < block.length; i++) {
            block[i] = (byte) i;
        }
        PrefetchedMemory memory = new PrefetchedMemory(List.of(new Block(0x1000, 16), new Block(0x2000, 4)),
                java.util.Arrays.asList(block, null), guest);

        assertThat(memory.read(0x1004, 4)).containsExactly(4, 5, 6, 7);
        assertThat(memory.read(0x1000, 16)).isEqualTo(block);
        assertThat(guestReads).isEmpty();

        assertThat(memory.read(0x100c, 8)[0]).as("runs past the block's end").isEqualTo((byte) 42);
        assertThat(memory.read(0xfff, 2)[0]).as("starts before it").isEqualTo((byte) 42);
        assertThat(memory.read(0x2000, 2)[0]).as("part of a block that could not be read").isEqualTo((byte) 42);
        assertThat(guestReads).containsExactly(0x100cL, 0xfffL, 0x2000L);
        assertThat(memory.misses()).containsExactly(new Block(0x100c, 8), new Block(0xfff, 2), new Block(0x2000, 2));
    }

    @Test
    void theVeryReadThatFailedInTheSampleFailsWithoutAskingTheGuestAgain() {
        PrefetchedMemory memory = new PrefetchedMemory(List.of(new Block(0x2000, 4)), java.util.Arrays.asList((byte[]) null),
                guest);

        assertThatThrownBy(() -> memory.read(0x2000, 4)).isInstanceOf(IOException.class).hasMessageContaining("0x2000");
        assertThat(guestReads).isEmpty();
        assertThat(memory.misses()).isEmpty();
    }

    @Test
    void withoutABlockEveryReadGoesToTheGuest() throws Exception {
        PrefetchedMemory memory = new PrefetchedMemory(List.of(), List.of(), guest);
        memory.read(0x1000, 4);
        assertThat(guestReads).containsExactly(0x1000L);
    }
}
