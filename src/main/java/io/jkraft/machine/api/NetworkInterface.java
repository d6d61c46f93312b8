package io.jkraft.machine.api;

import io.jkraft.common.Ipv4Cidr;

/**
 * A machine's NIC on a jkraft network: a tap device on the network's bridge, as {@code run --network NAME[:IP]}
 * asks for it. Asked for, only {@code network} (and perhaps {@code ip}) is known; the store fills in the rest
 * when it records the machine and leases the address ({@link #resolved}).
 *
 * @param network the network's name
 * @param bridge  the network's bridge device, or null before the machine is recorded
 * @param tap     the tap device on the host (at most 15 characters), or null before
 * @param mac     the NIC's MAC address, stable per machine and NIC, or null before
 * @param ip      the guest's address with the range's prefix, or (asked for) the address wanted, else null
 * @param gateway the bridge's address, the guest's gateway, or null before
 * @param asked   whether the user asked for {@code ip} ({@code NAME:IP}): a start then takes that address or none,
 *                where an allocated one may give way to another free address
 */
public record NetworkInterface(String network, String bridge, String tap, String mac, Ipv4Cidr ip, String gateway,
        boolean asked) {

    /** An interface as asked for: on {@code network}, at {@code ip} when given (else the next free address). */
    public static NetworkInterface request(String network, Ipv4Cidr ip) {
        return new NetworkInterface(network, null, null, null, ip, null, ip != null);
    }

    /** The same interface at another address (leased again at a start). */
    public NetworkInterface at(Ipv4Cidr address) {
        return new NetworkInterface(network, bridge, tap, mac, address, gateway, asked);
    }

    /** Whether the store has leased its address and named its devices. */
    public boolean resolved() {
        return bridge != null && tap != null && mac != null && gateway != null && ip != null;
    }

    /**
     * The address in lwIP's {@code netdev.ip} library parameter, as kraft writes it:
     * {@code CIDR:GATEWAY:DNS0:DNS1:HOSTNAME:DOMAIN}, here without DNS servers or names.
     */
    public String netdevIp() {
        return "netdev.ip=" + ip + ":" + gateway + "::::";
    }
}
