package io.jkraft.common;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A held lock on a file, serialising work across processes (a file lock) and across the threads of this one (the
 * JVM refuses a second lock on the same file, so a second thread polls). Closing releases it. Lock files are never
 * deleted, so no one can lock an inode that another has already replaced.
 */
public final class LockFile implements AutoCloseable {
    private final FileChannel channel;

    private LockFile(FileChannel channel) {
        this.channel = channel;
    }

    /**
     * Waits for the lock on {@code file} (made if missing; its folder must exist), calling {@code waiting} once when
     * it has to wait.
     */
    public static LockFile acquire(Path file, Runnable waiting) throws IOException, InterruptedException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            boolean told = false;
            while (true) {
                try {
                    FileLock lock = channel.tryLock();
                    if (lock != null) {
                        return new LockFile(channel);
                    }
                } catch (OverlappingFileLockException e) {
                    // another thread of this JVM holds it
                }
                if (!told) {
                    waiting.run();
                    told = true;
                }
                Thread.sleep(50);
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // closing releases the lock even when it reports a failure
        }
    }
}
