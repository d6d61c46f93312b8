package io.jkraft.common;

import java.util.Arrays;
import java.util.Optional;
import net.fornwall.jelf.ElfFile;

/**
 * The machines of the ELF kernels jkraft reads, by their header's {@code e_machine}: what they run on and the
 * width of their words. Unikraft's qemu/x86_64 image is a 32-bit multiboot ELF, so {@link #I386} is x86_64
 * code to run but 4-byte words to walk.
 */
public enum ElfMachine {
    I386(ElfFile.ARCH_i386, Architecture.X86_64, 4),
    X86_64(ElfFile.ARCH_X86_64, Architecture.X86_64, 8),
    AARCH64(ElfFile.ARCH_AARCH64, Architecture.ARM64, 8);

    private final int code;
    private final Architecture architecture;
    private final int wordSize;

    ElfMachine(int code, Architecture architecture, int wordSize) {
        this.code = code;
        this.architecture = architecture;
        this.wordSize = wordSize;
    }

    /** The machine of an ELF header's {@code e_machine}, or empty when jkraft runs no kernel of it. */
    public static Optional<ElfMachine> of(int eMachine) {
        return Arrays.stream(values()).filter(m -> m.code == eMachine).findFirst();
    }

    /** The {@code e_machine} value. */
    public int code() {
        return code;
    }

    /** The architecture that runs it. */
    public Architecture architecture() {
        return architecture;
    }

    /** Bytes per word (a pointer, a stack slot). */
    public int wordSize() {
        return wordSize;
    }
}
