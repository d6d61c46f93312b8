package io.jkraft.startup;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;

/**
 * The launcher's standard output or error as a command the helper runs writes to it, until it is shut for good:
 * then writes are dropped, as to a closed terminal. How it is reached is the launcher's choice, by what the
 * descriptor is:
 * <ul>
 *   <li>{@code t}, a terminal, or {@code d}, another character device ({@code /dev/null}): opened again through
 *       {@code /proc/PID/fd}, since neither has a write position to share;</li>
 *   <li>{@code p}, a pipe (or a named FIFO): opened again through {@code /proc/PID/fd} without waiting for a
 *       reader, so a write after its reader has gone fails at once ({@code | head}: EPIPE), as the launcher's
 *       own write would;</li>
 *   <li>{@code f}, anything else (a file, a socket): a FIFO of the request, which the launcher copies to its
 *       own descriptor, so that a file's position and {@code O_APPEND}, and a socket, are the launcher's;</li>
 *   <li>{@code o}, for standard error only: the same file as standard output ({@code 2>&1}), written through
 *       standard output's stream so that the order of the two stays as written.</li>
 * </ul>
 */
final class LauncherOutput extends OutputStream {
    private final OutputStream target;
    private volatile boolean open = true;

    private LauncherOutput(OutputStream target) {
        this.target = target;
    }

    /**
     * @param kind       the launcher's letter for the descriptor
     * @param descriptor the launcher's copy of the descriptor, {@code /proc/PID/fd/N}
     * @param fifo       the request's FIFO for this stream
     * @throws IOException when it cannot be opened (the command is then refused, and the launcher runs it)
     */
    static LauncherOutput open(char kind, Path descriptor, Path fifo) throws IOException {
        return switch (kind) {
            case 't', 'd' -> new LauncherOutput(new FileOutputStream(descriptor.toFile(), true));
            case 'p' -> new LauncherOutput(Fifo.openForWriting(descriptor));
            case 'f' -> new LauncherOutput(Fifo.openForWriting(fifo));
            default -> throw new IOException("unknown output kind " + kind);
        };
    }

    /** Whether the command may redraw lines and colour them: a terminal. */
    static boolean terminal(char kind) {
        return kind == 't';
    }

    @Override
    public synchronized void write(int b) throws IOException {
        if (open) {
            target.write(b);
        }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        if (open) {
            target.write(b, off, len);
        }
    }

    @Override
    public synchronized void flush() {
        if (open) {
            try {
                target.flush();
            } catch (IOException e) {
                open = false;
            }
        }
    }

    @Override
    public void close() {
        open = false;
        synchronized (this) {
            try {
                target.close();
            } catch (IOException e) {
                // the reader is gone
            }
        }
    }
}
