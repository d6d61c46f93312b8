package io.jkraft.profile.stack;

import io.jkraft.profile.sample.GuestMemory;
import java.io.IOException;

/**
 * Reads little-endian stack words for one walk. Every read through the gdbstub is a round trip, so the
 * stack from sp upwards is fetched once as a window and the walk reads frame records out of it; only a
 * frame beyond the window costs a read of its own (two words, the saved frame pointer and return address).
 * The window is what QEMU's gdbstub returns in one packet (PacketSize 4096 hex digits: 2 KiB), since each
 * further packet is a round trip of its own and most unikernel stacks are shallow.
 */
final class StackReader {
    static final int WINDOW = 2 * 1024;
    private static final int PAGE = 4096;

    private final GuestMemory memory;
    private final int wordSize;
    private final long windowStart;
    private byte[] window;
    private long chunkStart = -1;
    private byte[] chunk;

    StackReader(GuestMemory memory, long sp, int wordSize) {
        this.memory = memory;
        this.wordSize = wordSize;
        this.windowStart = sp & -wordSize;
    }

    /** The word at {@code address} (zero-extended on 32-bit code). */
    long word(long address) throws IOException {
        byte[] bytes = windowHolding(address);
        long offset;
        if (bytes != null) {
            offset = address - windowStart;
        } else {
            if (chunk == null || address < chunkStart || address + wordSize > chunkStart + chunk.length) {
                chunk = memory.read(address, 2 * wordSize);
                chunkStart = address;
            }
            bytes = chunk;
            offset = address - chunkStart;
        }
        return decode(bytes, (int) offset);
    }

    private byte[] windowHolding(long address) throws IOException {
        if (window == null) {
            window = readWindow();
        }
        long offset = address - windowStart;
        return offset >= 0 && offset + wordSize <= window.length ? window : null;
    }

    /** The window, or up to the end of sp's page when the whole window cannot be read (the stack's top is near). */
    private byte[] readWindow() {
        try {
            return memory.read(windowStart, WINDOW);
        } catch (IOException e) {
            int toPageEnd = (int) (PAGE - (windowStart & (PAGE - 1)));
            try {
                return memory.read(windowStart, toPageEnd);
            } catch (IOException again) {
                return new byte[0];
            }
        }
    }

    private long decode(byte[] bytes, int offset) throws IOException {
        if (offset < 0 || offset + wordSize > bytes.length) {
            throw new IOException("short read of guest memory");
        }
        long value = 0;
        for (int i = wordSize - 1; i >= 0; i--) {
            value = (value << 8) | (bytes[offset + i] & 0xff);
        }
        return value;
    }
}
