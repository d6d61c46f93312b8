package io.jkraft.profile;

import java.io.IOException;

/**
 * Guest memory with one block already read (taken with the registers in the sample's round trip):
 * reads inside it are copies, others go to the guest.
 */
final class PrefetchedMemory implements GuestMemory {
    private final long address;
    private final byte[] block;
    private final GuestMemory guest;

    PrefetchedMemory(long address, byte[] block, GuestMemory guest) {
        this.address = address;
        this.block = block;
        this.guest = guest;
    }

    @Override
    public byte[] read(long at, int length) throws IOException {
        if (block != null && at >= address && length >= 0 && at - address + length <= block.length) {
            byte[] copy = new byte[length];
            System.arraycopy(block, (int) (at - address), copy, 0, length);
            return copy;
        }
        return guest.read(at, length);
    }
}
