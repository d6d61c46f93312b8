package io.jkraft.startup;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Named pipes as the helper's protocol uses them. An open of a FIFO for reading only waits for a writer, and
 * for writing only waits for a reader, for ever once the other side has gone; each open here returns at once.
 */
final class Fifo {
    private Fifo() {}

    /** Makes a FIFO; Java has no call for it, and the helper makes one per life. */
    static void make(Path path) throws IOException {
        Files.deleteIfExists(path);
        try {
            Process p = new ProcessBuilder("mkfifo", "-m", "600", path.toString()).redirectErrorStream(true).start();
            String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (p.waitFor() != 0) {
                throw new IOException("mkfifo " + path + " failed: " + said);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while making " + path);
        }
    }

    /**
     * Opens a FIFO for reading only. A writer of the helper's own for the moment of the open makes it return at
     * once; once that one is closed, the other writers' end (or their being gone already) reads as end-of-file.
     */
    static FileChannel openForReading(Path fifo) throws IOException {
        try (FileChannel ownWriter = FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            return FileChannel.open(fifo, StandardOpenOption.READ);
        }
    }

    /**
     * Opens a FIFO for writing only. A reader of the helper's own for the moment of the open makes it return at
     * once; once that one is closed, a write with no other reader left fails (EPIPE), as on a closed pipe.
     */
    static FileOutputStream openForWriting(Path fifo) throws IOException {
        // Not a FileChannel: an interrupt meant for the command would close it under the command's output.
        try (FileChannel ownReader = FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            return new FileOutputStream(fifo.toFile());
        }
    }
}
