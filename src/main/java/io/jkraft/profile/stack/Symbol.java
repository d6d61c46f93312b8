package io.jkraft.profile.stack;

/**
 * A code address resolved to the function holding it.
 *
 * @param name   the function's symbol name
 * @param start  the function's first address
 * @param size   the function's size in bytes
 * @param offset the address's distance from {@code start}
 */
public record Symbol(String name, long start, long size, long offset) {

    /** {@code name+0xoffset}, as objdump and gdb print it. */
    @Override
    public String toString() {
        return name + "+0x" + Long.toHexString(offset);
    }
}
