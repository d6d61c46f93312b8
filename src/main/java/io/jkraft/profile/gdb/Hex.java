package io.jkraft.profile.gdb;

import java.util.Arrays;

/** Hex digits by table: the profiler decodes kilobytes of them per sample (Character.digit is Unicode-general). */
final class Hex {
    private static final byte[] DIGITS = new byte[128];

    static {
        Arrays.fill(DIGITS, (byte) -1);
        for (int i = 0; i < 10; i++) {
            DIGITS['0' + i] = (byte) i;
        }
        for (int i = 0; i < 6; i++) {
            DIGITS['a' + i] = (byte) (10 + i);
            DIGITS['A' + i] = (byte) (10 + i);
        }
    }

    private Hex() {}

    /**
     * Decodes {@code count} bytes of hex digits (ASCII) into {@code out} from {@code at}.
     *
     * @return -1, or the index of the first byte that is not two hex digits
     */
    static int decode(byte[] hex, byte[] out, int at, int count) {
        for (int k = 0; k < count; k++) {
            int hi = hex[2 * k];
            int lo = hex[2 * k + 1];
            // A byte above 127 is negative here, and so is the value when either digit's is -1.
            int value = hi < 0 || lo < 0 ? -1 : (DIGITS[hi] << 4) | DIGITS[lo];
            if (value < 0) {
                return k;
            }
            out[at + k] = (byte) value;
        }
        return -1;
    }

    /** The value of a hex digit, or -1. */
    static int digit(char c) {
        return c < 128 ? DIGITS[c] : -1;
    }
}
