package io.jkraft.machine;

import io.jkraft.common.UserException;
import io.jkraft.machine.MachineSpec.PortMapping;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;

/**
 * Checks that published host ports are free before QEMU starts: QEMU's own error for a taken port comes
 * late and reads badly. Ports held by other machines are refused earlier, by the store's claims.
 */
public final class HostPorts {
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

    /** Refuses a gdbstub port that another process holds, before QEMU starts. */
    static void checkGdbPortFree(int port) {
        if (port == 0) {
            return;
        }
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress("127.0.0.1", port));
        } catch (IOException e) {
            throw new UserException("gdb port 127.0.0.1:" + port + " is already in use (" + e.getMessage() + ")",
                    "choose another port with --gdb=PORT, or let jkraft choose one with --gdb");
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
}
