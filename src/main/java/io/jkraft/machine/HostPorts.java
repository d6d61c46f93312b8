package io.jkraft.machine;

import io.jkraft.common.GdbEndpoint;
import io.jkraft.common.UserException;
import io.jkraft.machine.api.MachineSpec.PortMapping;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/**
 * Checks that published host ports are free before QEMU starts: QEMU's own error for a taken port comes
 * late and reads badly. Ports held by other machines are refused earlier, by the store's claims.
 */
public final class HostPorts {
    private static final Path PROC_NET_UNIX = Path.of("/proc/net/unix");
    private HostPorts() {}

    /**
     * A TCP port of 127.0.0.1 that is free now, chosen by the operating system. Another process may take
     * it before QEMU binds it; QEMU then fails to start, saying so.
     */
    public static int freeLoopbackPort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free loopback port", e);
        }
    }

    /**
     * Refuses a gdbstub port or socket that another process holds, before QEMU starts. A socket file that
     * nothing listens on is one a killed QEMU left, and is removed (QEMU removes its own when it exits).
     */
    static void checkGdbFree(GdbEndpoint gdb) {
        if (gdb == null) {
            return;
        }
        if (gdb instanceof GdbEndpoint.UnixSocket(Path socket)) {
            checkSocketFree(socket);
            return;
        }
        int port = ((GdbEndpoint.Tcp) gdb).port();
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress("127.0.0.1", port));
        } catch (IOException e) {
            throw new UserException("gdb port 127.0.0.1:" + port + " is already in use (" + e.getMessage() + ")",
                    "choose another port with --gdb=PORT, or let jkraft choose one with --gdb");
        }
    }

    private static void checkSocketFree(Path socket) {
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!isSocketFile(socket)) {
            throw new UserException("gdb socket " + socket + " exists and is not a socket",
                    "choose another path with --gdb=unix:PATH");
        }
        // Not by connecting: a QEMU gdbstub stops its guest when a debugger connects and does not resume it
        // when the connection closes.
        if (listening(socket)) {
            throw new UserException("gdb socket " + socket + " is already in use",
                    "choose another path with --gdb=unix:PATH");
        }
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            throw new UserException("cannot remove the stale gdb socket " + socket + ": " + e.getMessage(),
                    "remove it by hand or choose another path with --gdb=unix:PATH");
        }
    }

    /**
     * Whether a process listens on the unix socket at {@code path}, from Linux's socket table (a listening
     * socket has the accept flag, 0x10000). When the table cannot be read, nothing is removed: an error.
     */
    static boolean listening(Path path) {
        try (Stream<String> lines = Files.lines(PROC_NET_UNIX)) {
            String name = path.toString();
            return lines.skip(1).map(l -> l.trim().split("\\s+", 8))
                    .anyMatch(f -> f.length == 8 && f[7].equals(name) && (Long.parseLong(f[3], 16) & 0x10000) != 0);
        } catch (IOException | UncheckedIOException | NumberFormatException e) {
            throw new UserException("gdb socket " + path + " exists, and whether something listens on it cannot be"
                    + " told (" + PROC_NET_UNIX + ": " + e.getMessage() + ")",
                    "remove it by hand if it is stale, or choose another path with --gdb=unix:PATH");
        }
    }

    private static boolean isSocketFile(Path file) {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther();
        } catch (IOException e) {
            return false;
        }
    }

    static void checkFree(List<PortMapping> ports) {
        for (PortMapping p : ports) {
            InetSocketAddress address = new InetSocketAddress(p.hostIp(), p.hostPort());
            try {
                if (p.protocol().equals("udp")) {
                    try (DatagramSocket s = new DatagramSocket(null)) {
                        s.bind(address);
                    }
                } else {
                    try (ServerSocket s = new ServerSocket()) {
                        s.setReuseAddress(false);
                        s.bind(address);
                    }
                }
            } catch (IOException e) {
                throw new UserException("port " + p.hostIp() + ":" + p.hostPort() + "/" + p.protocol()
                        + " is already in use by another process (" + e.getMessage() + ")",
                        "choose another host port, e.g. -p " + (p.hostPort() == 65535 ? 8080 : p.hostPort() + 1) + ":"
                                + p.guestPort());
            }
        }
    }

    /**
     * Refuses ports another process holds after {@code patience}. Right after ending a machine's old VMM, it is
     * given a moment to let go of them: an exiting process loses its memory (and with it the command line by which it was
     * seen to be gone) before its files and sockets are closed.
     */
    static void checkFree(List<PortMapping> ports, Duration patience) {
        long deadline = System.nanoTime() + patience.toNanos();
        while (true) {
            try {
                checkFree(ports);
                return;
            } catch (UserException e) {
                if (System.nanoTime() >= deadline) {
                    throw e;
                }
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                checkFree(ports);
                return;
            }
        }
    }
}
