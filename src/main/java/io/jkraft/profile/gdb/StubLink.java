package io.jkraft.profile.gdb;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;

/**
 * The bytes of one connection to a gdbstub: over TCP (127.0.0.1:PORT) or a unix socket. Reads wait at most
 * a timeout; a unix channel has no socket timeout, so it waits in a selector.
 */
sealed interface StubLink extends AutoCloseable {
    /** Reads what has arrived, waiting up to {@code timeoutMillis} for something; -1 at the end of the stream. */
    int read(byte[] buffer, long timeoutMillis) throws IOException;

    void write(byte[] bytes) throws IOException;

    @Override
    void close() throws IOException;

    /** Connects once (refused when nothing listens yet); the caller retries. */
    static StubLink connect(SocketAddress address, long timeoutMillis) throws IOException {
        return switch (address) {
            case InetSocketAddress tcp -> Tcp.connect(tcp, timeoutMillis);
            case UnixDomainSocketAddress unix -> Unix.connect(unix);
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
        public void write(byte[] bytes) throws IOException {
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

        static Unix connect(UnixDomainSocketAddress address) throws IOException {
            SocketChannel channel = SocketChannel.open(address);
            Selector readable = null;
            try {
                channel.configureBlocking(false);
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
        public void write(byte[] bytes) throws IOException {
            ByteBuffer from = ByteBuffer.wrap(bytes);
            while (from.hasRemaining()) {
                if (broken(() -> channel.write(from)) == 0) {
                    writable.select(); // the stub has not read what came before: wait until it takes more
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
