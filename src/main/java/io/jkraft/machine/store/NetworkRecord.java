package io.jkraft.machine.store;

import io.jkraft.common.Ipv4Cidr;
import java.time.Instant;
import java.util.List;

/**
 * A network as the store keeps it: a bridge and its IPv4 range.
 *
 * @param name      the network's name (kraft's)
 * @param bridge    the bridge device on the host
 * @param gateway   the bridge's own address with the range's prefix; guests get it as their gateway
 * @param createdAt when it was recorded
 * @param leases    the addresses leased to machines, lowest first
 */
public record NetworkRecord(String name, String bridge, Ipv4Cidr gateway, Instant createdAt, List<Lease> leases) {
    public NetworkRecord {
        leases = List.copyOf(leases);
    }

    /** An address of the network held by a machine (as long as its record exists). */
    public record Lease(Ipv4Cidr address, String machineId, String machineName) {}
}
