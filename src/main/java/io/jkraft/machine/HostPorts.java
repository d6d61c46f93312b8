package io.jkraft.machine;

import io.jkraft.common.UserException;
import io.jkraft.machine.MachineSpec.PortMapping;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;

/**
 * Checks that published host ports are free before QEMU starts: QEMU's own error for a taken port comes
 * late and reads badly. Ports held by other machines are refused earlier, by the store's claims.
 */
final class HostPorts {
    private HostPorts() {}

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
