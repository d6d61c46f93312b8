package io.jkraft.profile.sample;

import java.io.IOException;

/** The guest's memory as a stack walk reads it (through the gdbstub while the guest is stopped). */
@FunctionalInterface
public interface GuestMemory {
    /**
     * Reads {@code length} bytes at guest virtual address {@code address}.
     *
     * @throws IOException when the memory cannot be read (unmapped address, the guest has gone)
     */
    byte[] read(long address, int length) throws IOException;
}
