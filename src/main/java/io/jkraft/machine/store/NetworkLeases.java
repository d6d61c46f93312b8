package io.jkraft.machine.store;

import io.jkraft.common.Ipv4Cidr;
import io.jkraft.common.UserException;
import io.jkraft.machine.api.NetworkInterface;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Leases the addresses of a machine's NICs inside the transaction that records it or starts it again, so two
 * machines never get one address (the leases' primary key would refuse it too), and names its devices. A machine
 * holds its addresses while it is created, running or paused; the transaction that records its end frees them.
 */
final class NetworkLeases {
    private NetworkLeases() {}

    /** The requested interfaces of a new machine resolved: address leased, bridge, tap, MAC and gateway filled in. */
    static List<NetworkInterface> lease(Connection c, String machineId, String machineName,
            List<NetworkInterface> requested) throws SQLException {
        return leaseAll(c, machineId, machineName, requested, false);
    }

    /**
     * Leases the addresses of a machine that starts again, whose leases went when it stopped: each NIC gets the
     * address it had when that is free; an allocated one otherwise the next free address, and one the user asked
     * for nothing (the start is refused, naming who holds it).
     */
    static List<NetworkInterface> renew(Connection c, String machineId, String machineName, List<NetworkInterface> nics)
            throws SQLException {
        release(c, machineId); // a created machine, or a driver's retry, still holds them: the same come back
        return leaseAll(c, machineId, machineName, nics, true);
    }

    /** Frees the machine's addresses: it stopped running, or is being removed. */
    static void release(Connection c, String machineId) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("DELETE FROM leases WHERE machine_id = ?")) {
            q.setString(1, machineId);
            q.executeUpdate();
        }
    }

    /**
     * Frees the leases of machines that no longer run, which a store written by a jkraft that kept leases until
     * {@code rm} may still have; this one frees them as it records the end.
     */
    private static void releaseEnded(Connection c) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("DELETE FROM leases WHERE machine_id IN "
                + "(SELECT id FROM machines WHERE status IN ('exited', 'errored'))")) {
            q.executeUpdate();
        }
    }

    private static List<NetworkInterface> leaseAll(Connection c, String machineId, String machineName,
            List<NetworkInterface> nics, boolean starting) throws SQLException {
        releaseEnded(c);
        List<NetworkInterface> resolved = new ArrayList<>();
        for (int i = 0; i < nics.size(); i++) {
            NetworkInterface want = nics.get(i);
            NetworkRecord network = NetworkStore.one(c, want.network()).orElseThrow(() -> new UserException(
                    (starting ? "cannot start machine " + machineName + ": " : "") + "no network is named '"
                            + want.network() + "'",
                    "create it with `jkraft net create " + want.network() + "`, or see `jkraft net ls`"));
            Ipv4Cidr range = network.gateway();
            Set<Integer> taken = new HashSet<>();
            taken.add(range.address());
            network.leases().forEach(l -> taken.add(l.address().address()));
            resolved.forEach(r -> {
                if (r.network().equals(network.name())) {
                    taken.add(r.ip().address());
                }
            });
            int address;
            if (want.ip() == null) {
                address = free(network, taken);
            } else if (want.asked()) {
                address = starting ? wantedAgain(network, machineName, want.ip(), taken) : wanted(network, want.ip(), taken);
            } else {
                // The address allocated before, when it is still free and in the range (which cannot change).
                int before = want.ip().address();
                address = range.contains(before) && !taken.contains(before) ? before : free(network, taken);
            }
            try (PreparedStatement q = c.prepareStatement(
                    "INSERT INTO leases (network, address, machine_id) VALUES (?, ?, ?)")) {
                q.setString(1, network.name());
                q.setLong(2, Integer.toUnsignedLong(address));
                q.setString(3, machineId);
                q.executeUpdate();
            }
            resolved.add(new NetworkInterface(network.name(), network.bridge(), tapName(machineId, i),
                    macAddress(machineId, i), range.withAddress(address), range.ip(), want.asked()));
        }
        return resolved;
    }

    /** The address a stopped machine was given with {@code NAME:IP}, when nobody took it meanwhile. */
    private static int wantedAgain(NetworkRecord network, String machineName, Ipv4Cidr ip, Set<Integer> taken) {
        int a = ip.address();
        if (taken.contains(a)) {
            String holder = network.leases().stream().filter(l -> l.address().address() == a)
                    .map(NetworkRecord.Lease::machineName).findFirst().orElse("?");
            throw new UserException("cannot start machine " + machineName + ": its address " + ip.ip() + " on network "
                    + network.name() + " (asked for with --network " + network.name() + ":" + ip.ip()
                    + ") is now held by machine " + holder, "stop " + holder + " (`jkraft stop " + holder
                    + "`) to free it, or remove " + machineName + " and run it again with another address or none");
        }
        return a;
    }

    private static String holder(NetworkRecord network, int address) {
        return network.leases().stream().filter(l -> l.address().address() == address)
                .map(l -> "machine " + l.machineName()).findFirst().orElse("another NIC of this machine");
    }

    private static int free(NetworkRecord network, Set<Integer> taken) {
        Ipv4Cidr range = network.gateway();
        for (long a = Integer.toUnsignedLong(range.firstHost()); a <= Integer.toUnsignedLong(range.lastHost()); a++) {
            if (!taken.contains((int) a)) {
                return (int) a;
            }
        }
        throw new UserException("network " + network.name() + " (" + range.range() + ") has no free address",
                "remove machines on it (`jkraft ps -a`), or create a larger network");
    }

    private static int wanted(NetworkRecord network, Ipv4Cidr ip, Set<Integer> taken) {
        Ipv4Cidr range = network.gateway();
        String what = "--network " + network.name() + ":" + ip.ip();
        if (ip.prefix() != 32 && ip.prefix() != range.prefix()) {
            throw new UserException(what + ": the network's prefix is /" + range.prefix() + ", not /" + ip.prefix(),
                    "give the address alone");
        }
        int a = ip.address();
        if (!range.contains(a) || Integer.compareUnsigned(a, range.firstHost()) < 0
                || Integer.compareUnsigned(a, range.lastHost()) > 0) {
            throw new UserException(what + ": not a host address of " + range.range(),
                    "choose one between " + Ipv4Cidr.dotted(range.firstHost()) + " and " + Ipv4Cidr.dotted(range.lastHost()));
        }
        if (a == range.address()) {
            throw new UserException(what + ": that is the bridge's own address (the gateway)", "choose another");
        }
        if (taken.contains(a)) {
            throw new UserException(what + ": the address is taken by " + holder(network, a),
                    "choose another, or leave the address out to get a free one");
        }
        return a;
    }

    /**
     * The host's tap device for NIC {@code index} of a machine: {@code jk} and the start of its id, 14 characters
     * (Linux allows 15), so that the machine's taps are found again from its id alone.
     */
    static String tapName(String machineId, int index) {
        if (index > 9) {
            throw new UserException("a machine can have at most 10 network interfaces", null);
        }
        return "jk" + machineId.replace("-", "").substring(0, 11) + index;
    }

    /** A locally administered unicast MAC address from the machine's id, stable across its starts. */
    static String macAddress(String machineId, int index) {
        String hex = machineId.replace("-", "");
        return "02:" + hex.substring(0, 2) + ":" + hex.substring(2, 4) + ":" + hex.substring(4, 6) + ":"
                + hex.substring(6, 8) + ":" + String.format("%02x", index);
    }

    /** The addresses leased in a network, with their machines. */
    static List<NetworkRecord.Lease> of(Connection c, String network, int prefix) throws SQLException {
        String sql = "SELECT l.address, l.machine_id, m.name FROM leases l JOIN machines m ON m.id = l.machine_id "
                + "WHERE l.network = ? AND m.status IN ('created', 'running', 'paused') ORDER BY l.address";
        List<NetworkRecord.Lease> leases = new ArrayList<>();
        try (PreparedStatement q = c.prepareStatement(sql)) {
            q.setString(1, network);
            try (ResultSet r = q.executeQuery()) {
                while (r.next()) {
                    leases.add(new NetworkRecord.Lease(new Ipv4Cidr((int) r.getLong(1), prefix), r.getString(2),
                            r.getString(3)));
                }
            }
        }
        return leases;
    }
}
