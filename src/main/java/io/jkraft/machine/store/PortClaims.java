package io.jkraft.machine.store;

import io.jkraft.common.UserException;
import io.jkraft.machine.api.MachineSpec.PortMapping;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The host ports machines publish, claimed from create to remove, so that two machines never count on
 * the same port, even when they are created by two jkraft processes at the same moment (the claim is
 * made in the transaction that inserts the machine, and the table's constraints back it up).
 *
 * <p>A wildcard address ({@code 0.0.0.0} or {@code ::}) takes the port on every address, as a Linux
 * socket bound to it does, so it conflicts with any claim of that port and protocol; two specific
 * addresses (127.0.0.1 and 192.168.1.2) do not conflict with each other.
 */
final class PortClaims {
    private static final Set<String> WILDCARDS = Set.of("0.0.0.0", "::");

    /** One claimed port, normalised. */
    record Claim(String hostIp, int hostPort, String protocol, int guestPort) {
        boolean overlaps(Claim other) {
            return hostPort == other.hostPort && protocol.equals(other.protocol)
                    && (hostIp.equals(other.hostIp) || isWildcard() || other.isWildcard());
        }

        boolean isWildcard() {
            return WILDCARDS.contains(hostIp);
        }

        @Override
        public String toString() {
            String host = hostIp.contains(":") ? "[" + hostIp + "]" : hostIp;
            return host + ":" + hostPort + "->" + guestPort + "/" + protocol;
        }
    }

    private PortClaims() {}

    /**
     * The claims a machine's ports make. Host port 0 (let the system choose) claims nothing. Fails when
     * the spec publishes one port twice.
     */
    static List<Claim> of(String machine, List<PortMapping> ports) {
        List<Claim> claims = new ArrayList<>();
        for (PortMapping p : ports) {
            String protocol = p.protocol() == null || p.protocol().isBlank() ? "tcp"
                    : p.protocol().strip().toLowerCase(Locale.ROOT);
            if (!protocol.equals("tcp") && !protocol.equals("udp")) {
                throw new UserException("machine " + machine + " publishes a port over '" + p.protocol()
                        + "'; only tcp and udp exist", "write the port as hostPort:guestPort/tcp or /udp");
            }
            checkPort(machine, "host", p.hostPort(), true);
            checkPort(machine, "guest", p.guestPort(), false);
            if (p.hostPort() == 0) {
                continue;
            }
            Claim claim = new Claim(hostIp(p.hostIp()), p.hostPort(), protocol, p.guestPort());
            for (Claim earlier : claims) {
                if (earlier.overlaps(claim)) {
                    throw new UserException("machine " + machine + " publishes host port " + claim.hostPort()
                            + "/" + protocol + " twice (" + earlier + " and " + claim + ")",
                            "give each published port its own host port");
                }
            }
            claims.add(claim);
        }
        return claims;
    }

    /** Fails, naming the holder, when a claim overlaps one already in the store. */
    static void checkFree(Connection c, String machine, List<Claim> claims) throws SQLException {
        String sql = """
                SELECT m.name, p.host_ip, p.host_port, p.protocol, p.guest_port
                FROM ports p JOIN machines m ON m.id = p.machine_id
                WHERE p.host_port = ? AND p.protocol = ?""";
        try (PreparedStatement q = c.prepareStatement(sql)) {
            for (Claim claim : claims) {
                q.setInt(1, claim.hostPort());
                q.setString(2, claim.protocol());
                try (ResultSet r = q.executeQuery()) {
                    while (r.next()) {
                        Claim held = new Claim(r.getString(2), r.getInt(3), r.getString(4), r.getInt(5));
                        if (held.overlaps(claim)) {
                            String holder = r.getString(1);
                            throw new UserException("cannot publish " + claim + " for machine " + machine
                                    + ": machine " + holder + " already publishes " + held,
                                    "choose another host port, or remove " + holder + " with `jkraft rm "
                                            + holder + "`");
                        }
                    }
                }
            }
        }
    }

    static void insert(Connection c, String machineId, List<Claim> claims) throws SQLException {
        String sql = "INSERT INTO ports (machine_id, host_ip, host_port, protocol, guest_port) VALUES (?, ?, ?, ?, ?)";
        try (PreparedStatement q = c.prepareStatement(sql)) {
            for (Claim claim : claims) {
                q.setString(1, machineId);
                q.setString(2, claim.hostIp());
                q.setInt(3, claim.hostPort());
                q.setString(4, claim.protocol());
                q.setInt(5, claim.guestPort());
                q.executeUpdate();
            }
        }
    }

    /**
     * One spelling per address, so that ::1 and 0:0:0:0:0:0:0:1 meet in the UNIQUE constraint. The spec's
     * documented default is 127.0.0.1; IPv6 addresses may come in brackets; a host name stays as written
     * (resolving it here would make creating a machine depend on DNS).
     */
    static String hostIp(String ip) {
        if (ip == null || ip.isBlank()) {
            return "127.0.0.1";
        }
        String s = ip.strip().toLowerCase(Locale.ROOT);
        if (s.startsWith("[") && s.endsWith("]")) {
            s = s.substring(1, s.length() - 1);
        }
        try {
            InetAddress address = InetAddress.ofLiteral(s);
            if (address.isAnyLocalAddress()) {
                return address instanceof Inet6Address ? "::" : "0.0.0.0";
            }
            return address.getHostAddress();
        } catch (IllegalArgumentException notALiteral) {
            return s;
        }
    }

    private static void checkPort(String machine, String side, int port, boolean zeroAllowed) {
        if (port < (zeroAllowed ? 0 : 1) || port > 65535) {
            throw new UserException("machine " + machine + " publishes " + side + " port " + port
                    + ", which is not a port number", "ports are 1 to 65535");
        }
    }
}
