package io.jkraft.machine.qemu;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What QEMU's own logs say of a guest it stopped for good (KVM's internal error, a panic). */
final class StoppedGuestAccount {
    private StoppedGuestAccount() {}

    /**
     * Whether QEMU's own logs say it stopped the guest: KVM's internal error on its stderr, a guest panic in
     * its guest-error log. Once these words are there the guest is stopped, and may be asked.
     */
    static boolean saysStopped(QemuStateDir state) {
        return contains(state.qemuLog(), "internal error") || contains(state.guestErrorsLog(), "Guest crashed");
    }

    private static boolean contains(Path log, String words) {
        try {
            return Files.exists(log) && ExitReading.readTail(log).contains(words);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * For a guest QEMU stopped for good: QEMU's own account (for an internal error, its register dump; for a
     * panic, its guest-error log) after a line saying what it is. Nothing for any other machine.
     */
    static void copy(QemuStateDir state, OutputStream out) throws IOException {
        if (!Files.exists(state.guestStoppedFile())) {
            return;
        }
        for (Path log : List.of(state.qemuLog(), state.guestErrorsLog())) {
            if (Files.exists(log) && Files.size(log) > 0) {
                out.write(("--- QEMU stopped the guest; " + log.getFileName() + ":\n").getBytes(StandardCharsets.UTF_8));
                Files.copy(log, out);
            }
        }
        out.flush();
    }
}
