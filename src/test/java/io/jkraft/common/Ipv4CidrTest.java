package io.jkraft.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class Ipv4CidrTest {
    @Test
    void aRangeKnowsItsNetworkHostsAndBroadcast() {
        Ipv4Cidr c = Ipv4Cidr.parse("172.30.9.1/24", -1, "x");
        assertThat(c.toString()).isEqualTo("172.30.9.1/24");
        assertThat(c.range().toString()).isEqualTo("172.30.9.0/24");
        assertThat(Ipv4Cidr.dotted(c.firstHost())).isEqualTo("172.30.9.1");
        assertThat(Ipv4Cidr.dotted(c.lastHost())).isEqualTo("172.30.9.254");
        assertThat(Ipv4Cidr.dotted(c.broadcast())).isEqualTo("172.30.9.255");
        assertThat(Ipv4Cidr.dotted(c.mask())).isEqualTo("255.255.255.0");
        assertThat(c.contains(Ipv4Cidr.parse("172.30.9.200", 32, "x").address())).isTrue();
        assertThat(c.contains(Ipv4Cidr.parse("172.30.10.1", 32, "x").address())).isFalse();
    }

    @Test
    void addressesAboveTheSignBitAreUnsigned() {
        Ipv4Cidr c = Ipv4Cidr.parse("250.1.2.3/8", -1, "x");
        assertThat(c.range().toString()).isEqualTo("250.0.0.0/8");
        assertThat(Ipv4Cidr.dotted(c.broadcast())).isEqualTo("250.255.255.255");
    }

    @Test
    void overlapsComparesThePrefixBothShare() {
        Ipv4Cidr wide = Ipv4Cidr.parse("10.0.0.0/8", -1, "x");
        assertThat(wide.overlaps(Ipv4Cidr.parse("10.200.3.0/24", -1, "x"))).isTrue();
        assertThat(Ipv4Cidr.parse("10.200.3.0/24", -1, "x").overlaps(wide)).isTrue();
        assertThat(Ipv4Cidr.parse("10.200.3.0/24", -1, "x").overlaps(Ipv4Cidr.parse("10.200.4.0/24", -1, "x"))).isFalse();
        assertThat(Ipv4Cidr.parse("0.0.0.0/0", -1, "x").overlaps(wide)).isTrue();
    }

    @Test
    void badTextIsOneClearMessage() {
        assertThatThrownBy(() -> Ipv4Cidr.parse("10.0.0.300/24", -1, "--network 10.0.0.300/24"))
                .isInstanceOf(UserException.class).hasMessageContaining("300 is not an address byte");
        assertThatThrownBy(() -> Ipv4Cidr.parse("10.0.0.1", -1, "--network 10.0.0.1"))
                .isInstanceOf(UserException.class).hasMessageContaining("not an IPv4 range");
        assertThatThrownBy(() -> Ipv4Cidr.parse("10.0.0.1/33", -1, "x")).isInstanceOf(UserException.class);
        assertThatThrownBy(() -> Ipv4Cidr.parse("fe80::1/64", -1, "x")).isInstanceOf(UserException.class);
    }
}
