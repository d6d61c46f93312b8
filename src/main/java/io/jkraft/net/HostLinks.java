package io.jkraft.net;

import io.jkraft.common.Ipv4Cidr;
import java.util.List;

/**
 * The host's network devices as jkraft's networks use them: bridges with an address, taps on them, the
 * addresses and routes a new range must stay clear of. One implementation runs iproute2's {@code ip}
 * ({@link IpRoute2Links}); every operation acts in the network namespace of the jkraft process.
 */
public interface HostLinks {
    /** A device: its name, whether it is up, its bridge (null when none) and its alias (null when none). */
    record Link(String name, boolean up, String master, String alias) {}

    /** Every device. */
    List<Link> links();

    /** The IPv4 ranges in use on the host: its addresses (with their prefix) and its routes' destinations. */
    List<Ipv4Cidr> usedRanges();

    /** Creates a bridge with this address and brings it up. */
    void addBridge(String name, Ipv4Cidr address);

    /** Brings a device up or down. */
    void setUp(String name, boolean up);

    /** Creates a tap on {@code bridge} with this alias and brings it up. */
    void addTap(String name, String bridge, String alias);

    /** Removes a device; returns false when there was none. */
    boolean delete(String name);
}
