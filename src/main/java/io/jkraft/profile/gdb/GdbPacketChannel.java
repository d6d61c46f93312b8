package io.jkraft.profile.gdb;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * The GDB remote serial protocol's framing over one socket: {@code $payload#checksum} packets, the
 * {@code +}/{@code -} acknowledgements until no-ack mode is on, and the escaping ({@code }} then the byte
 * xor 0x20) and run-length encoding ({@code *} then a count + 29) of what the stub sends.
 *
 * <p>Every read waits at most the channel's timeout for a whole packet. A closed or reset connection is a
 * {@link GuestExitedException}: QEMU closes its gdbstub only when it exits.
 */
final class GdbPacketChannel implements AutoCloseable {
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final int INTERRUPT = 0x03;
    private static final Duration RETRY_PAUSE = Duration.ofMillis(10);

    private final StubLink link;
    private final Duration timeout;
    private final byte[] buffer = new byte[64 * 1024];
    private int position;
    private int limit;
    private boolean acknowledging = true;
    private int pipelined;
    /** Answers are not acknowledged until this client sends again (see {@link #sendAll(boolean, List, boolean)}). */
    private boolean quiet;
    private byte[] payload = new byte[4096];

    GdbPacketChannel(StubLink link, Duration timeout) {
        this.link = link;
        this.timeout = timeout;
    }

    /**
     * Connects to a gdbstub (127.0.0.1:PORT or a unix socket), retrying refused connections (QEMU still
     * starting, its socket not there yet) for up to {@code timeout}.
     */
    static GdbPacketChannel open(SocketAddress address, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
                return new GdbPacketChannel(StubLink.connect(address, left), timeout);
            } catch (SocketTimeoutException e) {
                throw new GdbException("no gdbstub answers on " + describe(address) + ": it did not take the connection"
                        + " within " + timeout.toMillis() + " ms", e);
            } catch (SocketException e) { // refused, a socket file not there yet, or a unix backlog that is full
                if (System.nanoTime() > deadline) {
                    throw new GdbException("no gdbstub answers on " + describe(address) + " within " + timeout.toMillis()
                            + " ms: " + e.getMessage(), e);
                }
                try {
                    Thread.sleep(RETRY_PAUSE);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while connecting to the gdbstub");
                }
            }
        }
    }

    /** Stops sending and expecting acknowledgements (after the stub accepted {@code QStartNoAckMode}). */
    void stopAcknowledging() {
        acknowledging = false;
    }

    boolean acknowledging() {
        return acknowledging;
    }

    /** Sends one packet; in ack mode waits for its {@code +} and resends it after a {@code -}. */
    void send(String packet) throws IOException {
        quiet = false;
        byte[] framed = frame(packet);
        write(framed);
        while (acknowledging) {
            int ack = readByte(deadline());
            if (ack == '+') {
                return;
            }
            if (ack == '-') {
                write(framed);
            }
            // Anything else before the ack is noise the stub may send (a '$' would be a protocol error).
        }
    }

    /**
     * Sends several packets in one write without waiting for acks; the answers are then read with
     * {@link #receive}, and until they all are, a damaged one cannot be asked for again (its ack
     * would name the wrong packet), so it fails instead.
     */
    void sendAll(List<String> packets) throws IOException {
        sendAll(false, packets);
    }

    /**
     * {@link #sendAll}, led by the interrupt byte when {@code interrupt}: QEMU stops the guest on that
     * byte (synchronously, in the thread that reads the socket) and sends its stop reply before it reads
     * the packets that follow, so one write stops the guest and asks for what a sample needs.
     */
    void sendAll(boolean interrupt, List<String> packets) throws IOException {
        sendAll(interrupt, packets, true);
    }

    /**
     * {@link #sendAll(boolean, List)}; unless {@code acknowledge}, the answers that come until the next send
     * are not acknowledged (for a batch that ends in {@code c}: an ack would reach a running guest, and QEMU
     * stops a running guest on any byte), and a damaged one fails.
     */
    void sendAll(boolean interrupt, List<String> packets, boolean acknowledge) throws IOException {
        quiet = !acknowledge;
        pipelined = packets.size();
        int size = packets.stream().mapToInt(p -> p.length() + 4).sum() + (interrupt ? 1 : 0);
        byte[] all = new byte[size];
        int at = 0;
        if (interrupt) {
            all[at++] = INTERRUPT;
        }
        for (String p : packets) {
            byte[] framed = frame(p);
            System.arraycopy(framed, 0, all, at, framed.length);
            at += framed.length;
        }
        write(all);
    }

    /**
     * Sends one packet without waiting for its acknowledgement, for a packet with no answer ({@code c}):
     * the stub's {@code +} is skipped by the next {@link #receive}, which reads up to a {@code $}.
     */
    void sendUnacknowledged(String packet) throws IOException {
        quiet = false;
        write(frame(packet));
    }

    /** The interrupt byte (Ctrl-C): QEMU stops every vCPU and answers with a stop reply. */
    void sendInterrupt() throws IOException {
        quiet = false;
        write(new byte[] {INTERRUPT});
    }

    /** The next packet's payload, decoded; acknowledged in ack mode (a bad checksum is refused with {@code -}). */
    String receive() throws IOException {
        long deadline = deadline();
        while (true) {
            int b;
            do {
                b = readByte(deadline);
            } while (b != '$');
            int length = 0;
            int sum = 0;
            // A whole buffer at a time: a sample's answers are kilobytes of hex, and this is the profiler's
            // own CPU time, which on a small host is taken from the guest.
            while (true) {
                if (position == limit) {
                    fill(deadline);
                }
                int end = position;
                while (end < limit && buffer[end] != '#') {
                    sum += buffer[end] & 0xff;
                    end++;
                }
                int n = end - position;
                if (length + n > payload.length) {
                    payload = Arrays.copyOf(payload, Math.max(length + n, payload.length * 2));
                }
                System.arraycopy(buffer, position, payload, length, n);
                length += n;
                position = end;
                if (end < limit) {
                    position++;
                    break;
                }
            }
            int expected = (hexDigit(readByte(deadline)) << 4) | hexDigit(readByte(deadline));
            boolean inBatch = pipelined > 0 || quiet;
            if (inBatch) {
                pipelined--;
            }
            if ((sum & 0xff) != expected) {
                if (acknowledging && !inBatch) {
                    write(new byte[] {'-'});
                    continue;
                }
                throw new GdbException("a packet from the gdbstub has a bad checksum");
            }
            if (acknowledging && !quiet) {
                write(new byte[] {'+'});
            }
            return decode(payload, length);
        }
    }

    /** Undoes escaping and run-length encoding; the result is ASCII (hex) or binary as ISO-8859-1 chars. */
    static String decode(byte[] raw, int length) throws GdbException {
        int plain = 0;
        while (plain < length && raw[plain] != '}' && raw[plain] != '*') {
            plain++;
        }
        if (plain == length) {
            return new String(raw, 0, length, StandardCharsets.ISO_8859_1);
        }
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            int b = raw[i] & 0xff;
            if (b == '}' && i + 1 < length) {
                s.append((char) ((raw[++i] & 0xff) ^ 0x20));
            } else if (b == '*' && i + 1 < length) {
                if (s.isEmpty()) {
                    throw new GdbException("a run-length code with nothing to repeat");
                }
                int repeat = (raw[++i] & 0xff) - 29;
                char previous = s.charAt(s.length() - 1);
                for (int k = 0; k < repeat; k++) {
                    s.append(previous);
                }
            } else {
                s.append((char) b);
            }
        }
        return s.toString();
    }

    static byte[] frame(String packet) {
        byte[] framed = new byte[packet.length() + 4];
        framed[0] = '$';
        int sum = 0;
        for (int i = 0; i < packet.length(); i++) {
            char c = packet.charAt(i);
            if (c == '$' || c == '#' || c == '}' || c == '*' || c > 0xff) {
                throw new IllegalArgumentException("a packet character that needs escaping: " + packet);
            }
            framed[i + 1] = (byte) c;
            sum += c;
        }
        framed[packet.length() + 1] = '#';
        framed[packet.length() + 2] = HEX[(sum >> 4) & 0xf];
        framed[packet.length() + 3] = HEX[sum & 0xf];
        return framed;
    }

    private long deadline() {
        return System.nanoTime() + timeout.toNanos();
    }

    private int readByte(long deadline) throws IOException {
        if (position == limit) {
            fill(deadline);
        }
        return buffer[position++] & 0xff;
    }

    private void fill(long deadline) throws IOException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw timedOut(null);
        }
        try {
            int n = link.read(buffer, Math.max(1, left / 1_000_000));
            if (n < 0) {
                throw new GuestExitedException("QEMU closed the gdb connection (the guest has ended)", -1,
                        new EOFException());
            }
            position = 0;
            limit = n;
        } catch (SocketTimeoutException e) {
            throw timedOut(e);
        } catch (SocketException e) {
            throw gone(e);
        }
    }

    private void write(byte[] bytes) throws IOException {
        try {
            link.write(bytes, timeout.toMillis());
        } catch (SocketTimeoutException e) {
            throw new GdbException("the gdbstub took nothing of what was sent within " + timeout.toMillis() + " ms", e);
        } catch (SocketException e) {
            throw gone(e);
        }
    }

    private GdbException timedOut(Throwable cause) {
        return new GdbException("the gdbstub did not answer within " + timeout.toMillis() + " ms", cause);
    }

    private static GuestExitedException gone(SocketException e) {
        return new GuestExitedException("the gdb connection broke (the guest has ended): " + e.getMessage(), -1, e);
    }

    private static int hexDigit(int c) throws GdbException {
        int d = Character.digit(c, 16);
        if (d < 0) {
            throw new GdbException("a packet checksum that is not hex: " + (char) c);
        }
        return d;
    }

    private static String describe(SocketAddress address) {
        return address instanceof InetSocketAddress tcp ? tcp.getHostString() + ":" + tcp.getPort() : address.toString();
    }

    @Override
    public void close() throws IOException {
        link.close();
    }
}
