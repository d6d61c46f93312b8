package io.jkraft.profile.stack;

import io.jkraft.common.ElfMachine;

/**
 * The code a stack walk reads, as the kernel's ELF header says: the word size of its frame records and how
 * calls leave their return address (on the stack on x86, in the link register on arm64). The fixture core's
 * "x86_64" kernels are 32-bit multiboot code, so {@link #I386} is the x86 walk with 4-byte slots.
 */
public enum StackArchitecture {
    X86_64(ElfMachine.X86_64, false),
    I386(ElfMachine.I386, false),
    ARM64(ElfMachine.AARCH64, true);

    private final ElfMachine machine;
    private final boolean linkRegister;

    StackArchitecture(ElfMachine machine, boolean linkRegister) {
        this.machine = machine;
        this.linkRegister = linkRegister;
    }

    /** Bytes per stack slot (and per saved frame pointer or return address). */
    public int wordSize() {
        return machine.wordSize();
    }

    /** Whether a call puts its return address in a register (arm64 x30) rather than on the stack. */
    public boolean linkRegister() {
        return linkRegister;
    }

    /** The walk of code for an ELF machine. */
    static StackArchitecture of(ElfMachine machine) {
        return switch (machine) {
            case I386 -> I386;
            case X86_64 -> X86_64;
            case AARCH64 -> ARM64;
        };
    }
}
