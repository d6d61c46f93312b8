package io.jkraft.net;

import io.jkraft.common.Ipv4Cidr;
import java.util.List;
import java.util.Optional;

/**
 * The range a network gets when {@code net create} is given none: the first /24 of 172.30.0.0/15, then of
 * 10.200.0.0/13, that overlaps no network of the store and no address or route of the host. Docker takes
 * 172.17-172.29 first and kraft 172.17 onwards; starting at 172.30 keeps clear of both in the usual case.
 */
final class FreeRange {
    private static final List<Ipv4Cidr> POOLS = List.of(Ipv4Cidr.parse("172.30.0.0/15", -1, "pool"),
            Ipv4Cidr.parse("10.200.0.0/13", -1, "pool"));

    private FreeRange() {}

    /** The gateway address (the range's first host) with a /24, or empty when every candidate is taken. */
    static Optional<Ipv4Cidr> choose(List<Ipv4Cidr> taken) {
        for (Ipv4Cidr pool : POOLS) {
            for (long a = Integer.toUnsignedLong(pool.network()); a <= Integer.toUnsignedLong(pool.broadcast()); a += 256) {
                Ipv4Cidr candidate = new Ipv4Cidr((int) a, 24);
                if (taken.stream().noneMatch(candidate::overlaps)) {
                    return Optional.of(candidate.withAddress(candidate.firstHost()));
                }
            }
        }
        return Optional.empty();
    }
}
