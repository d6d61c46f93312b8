package io.jkraft.run;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Tells a kernel image's architecture from its first bytes, so `run KERNEL` needs no --arch. */
final class KernelFormat {
    private static final int EM_386 = 3;
    private static final int EM_X86_64 = 62;
    private static final int EM_AARCH64 = 183;

    private KernelFormat() {}

    static Optional<String> architecture(Path kernel) {
        byte[] head = new byte[64];
        int n;
        try (InputStream in = Files.newInputStream(kernel)) {
            n = in.readNBytes(head, 0, head.length);
        } catch (IOException e) {
            return Optional.empty();
        }
        if (n >= 20 && head[0] == 0x7f && head[1] == 'E' && head[2] == 'L' && head[3] == 'F') {
            int machine = (head[18] & 0xff) | (head[19] & 0xff) << 8;
            return switch (machine) {
                // Unikraft's qemu/x86_64 image is a 32-bit multiboot ELF.
                case EM_386, EM_X86_64 -> Optional.of("x86_64");
                case EM_AARCH64 -> Optional.of("arm64");
                default -> Optional.empty();
            };
        }
        // The Linux arm64 Image header: "ARM\x64" at offset 56.
        if (n >= 60 && head[56] == 'A' && head[57] == 'R' && head[58] == 'M' && head[59] == 0x64) {
            return Optional.of("arm64");
        }
        return Optional.empty();
    }
}
