package io.jkraft.run;

import io.jkraft.common.Architecture;
import io.jkraft.common.ElfMachine;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Tells a kernel image's architecture from its first bytes, so `run KERNEL` needs no --arch. */
final class KernelFormat {
    private KernelFormat() {}

    static Optional<Architecture> architecture(Path kernel) {
        byte[] head = new byte[64];
        int n;
        try (InputStream in = Files.newInputStream(kernel)) {
            n = in.readNBytes(head, 0, head.length);
        } catch (IOException e) {
            return Optional.empty();
        }
        if (n >= 20 && head[0] == 0x7f && head[1] == 'E' && head[2] == 'L' && head[3] == 'F') {
            // The header's first 20 bytes, not all of an image jelf would map: run's start-up is measured.
            int machine = (head[18] & 0xff) | (head[19] & 0xff) << 8;
            return ElfMachine.of(machine).map(ElfMachine::architecture);
        }
        // The Linux arm64 Image header: "ARM\x64" at offset 56.
        if (n >= 60 && head[56] == 'A' && head[57] == 'R' && head[58] == 'M' && head[59] == 0x64) {
            return Optional.of(Architecture.ARM64);
        }
        return Optional.empty();
    }
}
