package io.jkraft.common;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.IntSupplier;

/**
 * Where a machine's gdbstub listens: a TCP port on 127.0.0.1 (loopback only, since the stub reads and writes all
 * guest memory unauthenticated), or a unix socket, a file the folder it is in keeps from other users.
 * {@link #parse} reads {@code --gdb}'s value; {@link #isValue} tells whether a word is one.
 */
public sealed interface GdbEndpoint {
    /** What a unix socket's path may take at most (sun_path is 108 bytes with its terminating NUL). */
    int MAX_SOCKET_PATH = 107;

    /** How to write {@code --gdb}, for errors. */
    String USAGE = "write --gdb=1234, --gdb=unix:PATH, or --gdb alone for a free port";

    /** A loopback port. */
    record Tcp(int port) implements GdbEndpoint {
        public Tcp {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("gdb port out of range: " + port);
            }
        }

        @Override
        public String qemuDevice() {
            return "tcp:127.0.0.1:" + port;
        }

        @Override
        public String gdbTarget() {
            return "127.0.0.1:" + port;
        }

        @Override
        public SocketAddress address() {
            return new InetSocketAddress("127.0.0.1", port);
        }

        @Override
        public String toString() {
            return "127.0.0.1:" + port;
        }
    }

    /** A unix socket, by its absolute path. */
    record UnixSocket(Path path) implements GdbEndpoint {
        public UnixSocket {
            path = path.toAbsolutePath().normalize();
        }

        @Override
        public String qemuDevice() {
            return "unix:" + path + ",server=on,wait=off";
        }

        /** By its path: gdb 13 does not take {@code unix::PATH}. */
        @Override
        public String gdbTarget() {
            return path.toString();
        }

        @Override
        public SocketAddress address() {
            return UnixDomainSocketAddress.of(path);
        }

        @Override
        public String toString() {
            return "unix:" + path;
        }
    }

    /** As QEMU's {@code -gdb} and monitor {@code gdbserver} take it. */
    String qemuDevice();

    /** As gdb's {@code target remote} takes it. */
    String gdbTarget();

    /** Where a client connects. */
    SocketAddress address();

    /** As jkraft shows it ({@code inspect}, errors): {@code 127.0.0.1:PORT} or {@code unix:PATH}. */
    @Override
    String toString();

    /**
     * Whether {@code word} is written as {@code --gdb}'s value: a port or {@code unix:PATH} (right or wrong).
     * {@code --gdb} takes the next word only when it is one, so that {@code --gdb app} means a free port and app.
     */
    static boolean isValue(String word) {
        return word.matches("\\d{1,5}") || word.startsWith("unix:");
    }

    /**
     * {@code --gdb}'s value: "" for a free loopback port ({@code freePort} chooses it), a port (1-65535), or
     * {@code unix:PATH} for a socket that does not exist yet, relative to {@code base}, in a folder that does.
     */
    static GdbEndpoint parse(String value, Path base, IntSupplier freePort) {
        if (value.isEmpty()) {
            return new Tcp(freePort.getAsInt());
        }
        if (value.startsWith("unix:")) {
            String path = value.substring("unix:".length());
            if (path.isBlank()) {
                throw new UserException("--gdb=unix: needs the path of the socket to create", USAGE);
            }
            Path socket = base.resolve(path).toAbsolutePath().normalize();
            if (socket.toString().getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_PATH) {
                throw new UserException("--gdb=" + value + ": the socket's absolute path is longer than unix sockets allow ("
                        + MAX_SOCKET_PATH + " bytes)", "choose a shorter path");
            }
            if (!Files.isDirectory(socket.getParent())) {
                throw new UserException("--gdb=" + value + ": folder " + socket.getParent() + " does not exist",
                        "create it first, or choose a path in an existing folder");
            }
            return new UnixSocket(socket);
        }
        if (!value.matches("\\d{1,5}") || Integer.parseInt(value) < 1 || Integer.parseInt(value) > 65535) {
            throw notAValue(value);
        }
        return new Tcp(Integer.parseInt(value));
    }

    /** The error for a {@code --gdb=VALUE} that is neither a port nor {@code unix:PATH}. */
    static UserException notAValue(String value) {
        return new UserException("--gdb=" + value + ": not a port (1-65535) or unix:PATH", USAGE);
    }
}
