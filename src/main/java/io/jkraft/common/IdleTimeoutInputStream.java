package io.jkraft.common;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A stream whose every read gives up once nothing has arrived for a while: it closes its source, which
 * ends the blocked read, and throws {@link Stalled}, naming who did not send.
 *
 * <p>For the bodies of the JDK's HTTP client: a request's timeout ends when the response's headers have
 * come, so a server that sends headers and then nothing would hold a reader of the body for ever. The
 * source must be one whose {@code close()}, from another thread, ends a read waiting in it (the client's
 * body streams are). The limit is per read, not for the whole body: a slow download that keeps sending
 * is not cut off.
 */
public final class IdleTimeoutInputStream extends InputStream {
    /** A read that waited the whole limit for the first byte. */
    public static final class Stalled extends SocketTimeoutException {
        Stalled(String message) {
            super(message);
        }
    }

    private final InputStream in;
    private final Duration limit;
    private final String source;
    private volatile boolean stalled;

    /** @param source who sends, for the message: {@code SOURCE stopped sending (nothing for 60 s)} */
    public IdleTimeoutInputStream(InputStream in, Duration limit, String source) {
        this.in = Objects.requireNonNull(in, "in");
        this.limit = limit;
        this.source = source;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n;
        do {
            n = read(one, 0, 1);
        } while (n == 0);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        if (stalled) {
            throw stalledException(null);
        }
        ScheduledFuture<?> alarm = Alarms.TIMER.schedule(this::stall, limit.toNanos(), TimeUnit.NANOSECONDS);
        try {
            return in.read(b, off, len);
        } catch (IOException e) {
            throw stalled ? stalledException(e) : e;
        } finally {
            alarm.cancel(false);
        }
    }

    @Override
    public int available() throws IOException {
        return in.available();
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    private void stall() {
        stalled = true;
        try {
            in.close();
        } catch (IOException e) {
            // closed either way: the read waiting in it ends
        }
    }

    private Stalled stalledException(IOException cause) {
        Stalled s = new Stalled(source + " stopped sending (nothing for " + Durations.words(limit) + ")");
        if (cause != null) {
            s.initCause(cause);
        }
        return s;
    }

    /** One daemon thread for every stream's alarm, started with the first read. */
    private static final class Alarms {
        static final ScheduledThreadPoolExecutor TIMER = create();

        private static ScheduledThreadPoolExecutor create() {
            ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1,
                    Thread.ofPlatform().daemon().name("jkraft-read-timeout").factory());
            // Nearly every alarm is cancelled by its read's end: they go at once instead of waiting out the limit.
            timer.setRemoveOnCancelPolicy(true);
            return timer;
        }
    }
}
