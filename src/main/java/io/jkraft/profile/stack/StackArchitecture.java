package io.jkraft.profile.stack;

/**
 * The code a stack walk reads, as the kernel's ELF header says: the word size of its frame records and how
 * calls leave their return address (on the stack on x86, in the link register on arm64). The fixture core's
 * "x86_64" kernels are 32-bit multiboot code, so {@link #I386} is the x86 walk with 4-byte slots.
 */
public enum StackArchitecture {
    X86_64(8, false),
    I386(4, false),
    ARM64(8, true);

    private static final int EM_386 = 3;
    private static final int EM_X86_64 = 62;
    private static final int EM_AARCH64 = 183;

    private final int wordSize;
    private final boolean linkRegister;

    StackArchitecture(int wordSize, boolean linkRegister) {
        this.wordSize = wordSize;
        this.linkRegister = linkRegister;
    }

    /** Bytes per stack slot (and per saved frame pointer or return address). */
    public int wordSize() {
        return wordSize;
    }

    /** Whether a call puts its return address in a register (arm64 x30) rather than on the stack. */
    public boolean linkRegister() {
        return linkRegister;
    }

    /** The architecture of an ELF {@code e_machine}, or null when the walk does not know it. */
    static StackArchitecture ofElfMachine(int machine) {
        return switch (machine) {
            case EM_386 -> I386;
            case EM_X86_64 -> X86_64;
            case EM_AARCH64 -> ARM64;
            default -> null;
        };
    }
}
