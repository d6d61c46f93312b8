package io.jkraft.profile;

import io.jkraft.profile.gdb.GdbClient.Block;
import io.jkraft.profile.sample.GuestMemory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Guest memory with some blocks already read (taken with the registers in the sample's round trip):
 * reads inside one of them are copies, a read that is one of them and could not be read fails, others go to
 * the guest and are remembered, so that the next sample can ask for them up front.
 */
final class PrefetchedMemory implements GuestMemory {
    private final List<Block> blocks;
    private final List<byte[]> contents;
    private final GuestMemory guest;
    private final List<Block> misses = new ArrayList<>();

    PrefetchedMemory(List<Block> blocks, List<byte[]> contents, GuestMemory guest) {
        this.blocks = List.copyOf(blocks);
        this.contents = new ArrayList<>(contents);
        this.guest = guest;
    }

    @Override
    public byte[] read(long at, int length) throws IOException {
        for (int i = 0; i < blocks.size(); i++) {
            Block b = blocks.get(i);
            byte[] content = contents.get(i);
            if (content != null && at >= b.address() && length >= 0 && at - b.address() + length <= content.length) {
                byte[] copy = new byte[length];
                System.arraycopy(content, (int) (at - b.address()), copy, 0, length);
                return copy;
            }
            if (content == null && at == b.address() && length == b.length()) {
                // This very read failed in the sample: asking again would fail again (and a miss would be
                // asked for at every sample).
                throw new IOException("guest memory at 0x" + Long.toHexString(at) + " cannot be read");
            }
        }
        misses.add(new Block(at, length));
        return guest.read(at, length);
    }

    /** The reads that went to the guest. */
    List<Block> misses() {
        return List.copyOf(misses);
    }
}
