package io.jkraft.machine.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Copies a file that another process is still writing (the guest console) to an output as it grows,
 * until the writer has ended. Polling keeps it simple and portable; the interval bounds the added delay.
 * It starts at a millisecond after each output and doubles while the file is quiet, up to the given
 * interval, so a guest's first line shows without delay and an idle console costs little.
 */
public final class ConsoleTail {

    private static final Duration DEFAULT_INTERVAL = Duration.ofMillis(10);
    private static final long FIRST_PAUSE_NANOS = 1_000_000;

    private final Path file;
    private final Duration interval;

    public ConsoleTail(Path file) {
        this(file, DEFAULT_INTERVAL);
    }

    public ConsoleTail(Path file, Duration interval) {
        this.file = file;
        this.interval = interval;
    }

    /**
     * Copies from {@code offset} until {@code ended} holds, then copies what is left; returns the offset
     * reached. The writer's end is checked before each final read so that no last line is lost.
     */
    public long follow(OutputStream out, long offset, BooleanSupplier ended) throws IOException {
        byte[] buffer = new byte[16384];
        long position = offset;
        InputStream in = null;
        long pause = FIRST_PAUSE_NANOS;
        try {
            while (true) {
                boolean last = ended.getAsBoolean();
                if (in == null) {
                    in = open(position);
                }
                long before = position;
                if (in != null) {
                    int n;
                    while ((n = in.read(buffer)) > 0) {
                        write(out, buffer, n);
                        position += n;
                    }
                    flush(out);
                }
                if (last) {
                    return position;
                }
                pause = position > before ? FIRST_PAUSE_NANOS : Math.min(pause * 2, interval.toNanos());
                pause(pause);
            }
        } finally {
            if (in != null) {
                in.close();
            }
        }
    }

    /**
     * The output is gone (a pipe whose reader ended, as with {@code | head}): nobody reads the console any
     * more, which the caller may treat as a signal to stop, as a program killed by SIGPIPE would.
     */
    public static final class OutputClosedException extends IOException {
        OutputClosedException(IOException cause) {
            super("the console's output was closed: " + cause.getMessage(), cause);
        }
    }

    private static void write(OutputStream out, byte[] buffer, int n) throws OutputClosedException {
        try {
            out.write(buffer, 0, n);
        } catch (IOException e) {
            throw new OutputClosedException(e);
        }
    }

    private static void flush(OutputStream out) throws OutputClosedException {
        try {
            out.flush();
        } catch (IOException e) {
            throw new OutputClosedException(e);
        }
    }

    private InputStream open(long position) throws IOException {
        try {
            InputStream in = Files.newInputStream(file);
            in.skipNBytes(position);
            return in;
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private void pause(long nanos) throws InterruptedIOException {
        try {
            Thread.sleep(Duration.ofNanos(nanos));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while following " + file);
        }
    }
}
