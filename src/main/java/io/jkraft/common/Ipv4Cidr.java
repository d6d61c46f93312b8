package io.jkraft.common;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An IPv4 address with a prefix length, as {@code ip} and kraft write it: {@code 172.30.0.1/24}. The address
 * may be any address of the range (a bridge's own, the gateway) or the range itself.
 *
 * @param address the address as an unsigned 32-bit number in an int
 * @param prefix  the prefix length, 0 to 32
 */
public record Ipv4Cidr(int address, int prefix) {
    private static final Pattern FORM = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})(?:/(\\d{1,2}))?");

    public Ipv4Cidr {
        if (prefix < 0 || prefix > 32) {
            throw new IllegalArgumentException("prefix " + prefix + " is not between 0 and 32");
        }
    }

    /**
     * Parses {@code A.B.C.D/N}; {@code A.B.C.D} alone when {@code defaultPrefix} is not negative.
     *
     * @param what names the value for the message, e.g. {@code --network 10.1.2.3/24}
     */
    public static Ipv4Cidr parse(String text, int defaultPrefix, String what) {
        Matcher m = FORM.matcher(text == null ? "" : text.strip());
        if (!m.matches() || (m.group(5) == null && defaultPrefix < 0)) {
            throw new UserException(what + ": not an IPv4 range", "write it as ADDRESS/PREFIX, e.g. 172.30.0.1/24");
        }
        int address = 0;
        for (int i = 1; i <= 4; i++) {
            int octet = Integer.parseInt(m.group(i));
            if (octet > 255) {
                throw new UserException(what + ": " + octet + " is not an address byte (0-255)", null);
            }
            address = (address << 8) | octet;
        }
        int prefix = m.group(5) == null ? defaultPrefix : Integer.parseInt(m.group(5));
        if (prefix > 32) {
            throw new UserException(what + ": the prefix length must be 0 to 32", "e.g. /24");
        }
        return new Ipv4Cidr(address, prefix);
    }

    /** An address alone, {@code A.B.C.D}, as a /32. */
    public static Ipv4Cidr address(String text, String what) {
        Ipv4Cidr parsed = parse(text, 32, what);
        if (text.contains("/")) {
            throw new UserException(what + ": give an address without a prefix", "e.g. 172.30.0.5");
        }
        return parsed;
    }

    /** The netmask as a number: the prefix's bits set. */
    public int mask() {
        return prefix == 0 ? 0 : -1 << (32 - prefix);
    }

    /** The range's first address (the network address). */
    public int network() {
        return address & mask();
    }

    /** The range's last address (the broadcast address). */
    public int broadcast() {
        return network() | ~mask();
    }

    /** The range itself, {@code network/prefix}. */
    public Ipv4Cidr range() {
        return new Ipv4Cidr(network(), prefix);
    }

    /** Another address of this range, with the same prefix. */
    public Ipv4Cidr withAddress(int other) {
        return new Ipv4Cidr(other, prefix);
    }

    /** The first usable host address: the network address plus one (for /31 and /32, the network address). */
    public int firstHost() {
        return prefix >= 31 ? network() : network() + 1;
    }

    /** The last usable host address: below the broadcast address (for /31 and /32, the last address). */
    public int lastHost() {
        return prefix >= 31 ? broadcast() : broadcast() - 1;
    }

    /** Whether {@code other} (an address) lies in this range. */
    public boolean contains(int other) {
        return (other & mask()) == network();
    }

    /** Whether the two ranges share an address. */
    public boolean overlaps(Ipv4Cidr other) {
        int shorter = Math.min(prefix, other.prefix);
        int m = shorter == 0 ? 0 : -1 << (32 - shorter);
        return (address & m) == (other.address & m);
    }

    /** {@code A.B.C.D} of this address. */
    public String ip() {
        return dotted(address);
    }

    /** Writes an address as {@code A.B.C.D}. */
    public static String dotted(int address) {
        return (address >>> 24) + "." + ((address >>> 16) & 0xff) + "." + ((address >>> 8) & 0xff) + "." + (address & 0xff);
    }

    /** {@code A.B.C.D/N}. */
    @Override
    public String toString() {
        return ip() + "/" + prefix;
    }
}
