package io.jkraft.profile.gdb;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;

/**
 * The bytes of one connection to a gdbstub: over TCP (127.0.0.1:PORT) or a unix socket. Connecting and
 * reading wait at most a timeout; a unix channel has no socket timeout, so it waits in selectors, and so do
 * its writes. A TCP write is not bounded, but waits only once the kernel's send buffer is full, which a
 * client that reads every answer (each read bounded) before it sends again never fills.
 */
sealed interface StubLink extends AutoCloseable {
    /** Reads what has arrived, waiting up to {@code timeoutMillis} for something; -1 at the end of the stream. */
    int read(byte[] buffer, long timeoutMillis) throws IOException;

    /** Writes everything; a unix socket's stub that takes nothing for {@code timeoutMillis} is a timeout. */
    void write(byte[] bytes, long timeoutMillis) throws IOException;

    @Override
    void close() throws IOException;

    /**
     * Connects once, waiting up to {@code timeoutMillis} ({@link SocketTimeoutException}); refused when
     * nothing listens yet, or when a unix socket's backlog is full (its stub serves another client): a
     * {@link SocketException}, and the caller retries.
     */
    static StubLink connect(SocketAddress address, long timeoutMillis) throws IOException {
        return switch (address) {
            case InetSocketAddress tcp -> Tcp.connect(tcp, timeoutMillis);
            case UnixDomainSocketAddress unix -> Unix.connect(unix, timeoutMillis);
            default -> throw new IllegalArgumentException("not a gdbstub address: " + address);
        };
    }

    /** TCP with no delay: a sample is one small write, and Nagle's algorithm would hold it back. */
    final class Tcp implements StubLink {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        private Tcp(Socket socket) throws IOException {
            this.socket = socket;
            socket.setTcpNoDelay(true);
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
        }

        static Tcp connect(InetSocketAddress address, long timeoutMillis) throws IOException {
            Socket socket = new Socket();
            try {
                socket.connect(address, (int) Math.max(1, timeoutMillis));
                return new Tcp(socket);
            } catch (IOException e) {
                socket.close();
                throw e;
            }
        }

        @Override
        public int read(byte[] buffer, long timeoutMillis) throws IOException {
            socket.setSoTimeout((int) Math.max(1, timeoutMillis));
            return in.read(buffer);
        }

        @Override
        public void write(byte[] bytes, long timeoutMillis) throws IOException {
            out.write(bytes);
            out.flush();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** A unix socket, non-blocking, waited for in selectors of its own. */
    final class Unix implements StubLink {
        private final SocketChannel channel;
        private final Selector readable;
        private final Selector writable;

        private Unix(SocketChannel channel, Selector readable, Selector writable) {
            this.channel = channel;
            this.readable = readable;
            this.writable = writable;
        }

        /**
         * Connects without blocking: a blocking connect to a unix socket whose backlog is full (QEMU's stub
         * keeps one client and queues the next) would wait until the stub takes another client, for ever.
         * Linux refuses such a connect at once instead (EAGAIN, a SocketException the caller retries).
         */
        static Unix connect(UnixDomainSocketAddress address, long timeoutMillis) throws IOException {
            SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            Selector readable = null;
            try {
                channel.configureBlocking(false);
                if (!channel.connect(address)) {
                    try (Selector connectable = Selector.open()) {
                        channel.register(connectable, SelectionKey.OP_CONNECT);
                        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
                        while (!channel.finishConnect()) {
                            long left = (deadline - System.nanoTime()) / 1_000_000;
                            if (left <= 0) {
                                throw new SocketTimeoutException("no connection within " + timeoutMillis + " ms");
                            }
                            connectable.select(left);
                            connectable.selectedKeys().clear();
                        }
                    }
                }
                readable = Selector.open();
                Selector writable = Selector.open();
                channel.register(readable, SelectionKey.OP_READ);
                channel.register(writable, SelectionKey.OP_WRITE);
                return new Unix(channel, readable, writable);
            } catch (IOException e) {
                try (channel; Selector r = readable) {
                    throw e;
                }
            }
        }

        @Override
        public int read(byte[] buffer, long timeoutMillis) throws IOException {
            ByteBuffer into = ByteBuffer.wrap(buffer);
            long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
            while (true) {
                int n = broken(() -> channel.read(into));
                if (n != 0) {
                    return n;
                }
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    throw new SocketTimeoutException("no answer within " + timeoutMillis + " ms");
                }
                readable.select(left);
                readable.selectedKeys().clear();
            }
        }

        @Override
        public void write(byte[] bytes, long timeoutMillis) throws IOException {
            ByteBuffer from = ByteBuffer.wrap(bytes);
            long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
            while (from.hasRemaining()) {
                if (broken(() -> channel.write(from)) == 0) {
                    // the stub has not read what came before: wait until it takes more
                    long left = (deadline - System.nanoTime()) / 1_000_000;
                    if (left <= 0) {
                        throw new SocketTimeoutException("nothing taken within " + timeoutMillis + " ms");
                    }
                    writable.select(left);
                    writable.selectedKeys().clear();
                }
            }
        }

        /** A channel's I/O error as the TCP socket gives it (a broken pipe is a plain IOException here): the stub went away. */
        private static int broken(ChannelCall call) throws IOException {
            try {
                return call.run();
            } catch (SocketException | java.nio.channels.ClosedChannelException e) {
                throw e;
            } catch (IOException e) {
                throw new SocketException(e.getMessage(), e);
            }
        }

        private interface ChannelCall {
            int run() throws IOException;
        }

        @Override
        public void close() throws IOException {
            try (readable; writable) {
                channel.close();
            }
        }
    }
}
