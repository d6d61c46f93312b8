package io.jkraft.common;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;

/**
 * Where a machine's gdbstub listens: a TCP port on 127.0.0.1, or a unix socket (a file, which the folder
 * it is in keeps from other users). Exactly one of the two is set.
 *
 * @param port   the loopback port, or 0 for a socket
 * @param socket the socket's absolute path, or null for a port
 */
public record GdbEndpoint(int port, Path socket) {
    /** What a unix socket's path may take at most (sun_path is 108 bytes with its terminating NUL). */
    public static final int MAX_SOCKET_PATH = 107;

    public GdbEndpoint {
        if ((socket == null) == (port == 0)) {
            throw new IllegalArgumentException("a gdbstub has either a port or a socket: " + port + ", " + socket);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("gdb port out of range: " + port);
        }
    }

    public static GdbEndpoint tcp(int port) {
        return new GdbEndpoint(port, null);
    }

    public static GdbEndpoint unix(Path socket) {
        return new GdbEndpoint(0, socket.toAbsolutePath().normalize());
    }

    public boolean isSocket() {
        return socket != null;
    }

    /** As QEMU's {@code -gdb} and monitor {@code gdbserver} take it. */
    public String qemuDevice() {
        return isSocket() ? "unix:" + socket + ",server=on,wait=off" : "tcp:127.0.0.1:" + port;
    }

    /** As gdb's {@code target remote} takes it (a socket by its path: gdb 13 does not take {@code unix::PATH}). */
    public String gdbTarget() {
        return isSocket() ? socket.toString() : "127.0.0.1:" + port;
    }

    /** As jkraft shows it ({@code inspect}, errors). */
    @Override
    public String toString() {
        return isSocket() ? "unix:" + socket : "127.0.0.1:" + port;
    }

    public SocketAddress address() {
        return isSocket() ? UnixDomainSocketAddress.of(socket) : new InetSocketAddress("127.0.0.1", port);
    }
}
