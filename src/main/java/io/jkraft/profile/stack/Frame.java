package io.jkraft.profile.stack;

/**
 * One frame of a walked stack.
 *
 * @param pc     the innermost frame's program counter, or the return address into an outer frame
 * @param symbol the function the frame runs in, or null when the address is in none
 */
public record Frame(long pc, Symbol symbol) {

    /** The function's name, or the address in hex when it is in no known function. */
    public String name() {
        return symbol != null ? symbol.name() : "0x" + Long.toHexString(pc);
    }
}
