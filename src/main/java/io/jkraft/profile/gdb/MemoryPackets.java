package io.jkraft.profile.gdb;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** {@code m addr,len} requests for a block of guest memory, in chunks the stub answers in one packet, and their answers. */
final class MemoryPackets {
    private MemoryPackets() {}

    static List<String> requests(long address, int length, int chunk) {
        List<String> packets = new ArrayList<>();
        for (int at = 0; at < length; at += chunk) {
            packets.add("m" + Long.toHexString(address + at) + "," + Integer.toHexString(Math.min(chunk, length - at)));
        }
        return packets;
    }

    /** The block, or a {@link GdbException} naming the first part that could not be read. */
    static byte[] decode(List<String> replies, long address, int length, int chunk) throws GdbException {
        byte[] bytes = new byte[length];
        for (int i = 0; i < replies.size(); i++) {
            String reply = replies.get(i);
            int at = i * chunk;
            int expected = Math.min(chunk, length - at);
            if (reply.startsWith("E") || reply.length() != expected * 2) {
                throw new GdbException("cannot read " + expected + " bytes of guest memory at 0x"
                        + Long.toHexString(address + at) + ": " + Replies.describe(reply));
            }
            int bad = Hex.decode(reply.getBytes(StandardCharsets.ISO_8859_1), bytes, at, expected);
            if (bad >= 0) {
                throw new GdbException("guest memory at 0x" + Long.toHexString(address + at + bad) + " is unavailable");
            }
        }
        return bytes;
    }

    /** The block, or null when any part of it could not be read. */
    static byte[] decodeOrNull(List<String> replies, long address, int length, int chunk) {
        try {
            return decode(replies, address, length, chunk);
        } catch (GdbException e) {
            return null;
        }
    }
}
