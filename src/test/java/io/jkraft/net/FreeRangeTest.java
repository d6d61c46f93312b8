package io.jkraft.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.jkraft.common.Ipv4Cidr;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FreeRangeTest {
    private static Ipv4Cidr cidr(String text) {
        return Ipv4Cidr.parse(text, 32, "x");
    }

    @Test
    void theFirstFree24OfThePoolsWithTheFirstHostAsGateway() {
        assertThat(FreeRange.choose(List.of()).orElseThrow().toString()).isEqualTo("172.30.0.1/24");
        // A host address (with its prefix), a route and a network of the store all count.
        List<Ipv4Cidr> taken = List.of(cidr("172.30.0.77/24"), cidr("172.30.1.0/24"), cidr("172.30.2.1/23"));
        assertThat(FreeRange.choose(taken).orElseThrow().toString()).isEqualTo("172.30.4.1/24");
    }

    @Test
    void aRouteCoveringThePoolMovesToTheNextPoolAndAFullHostHasNone() {
        assertThat(FreeRange.choose(List.of(cidr("172.16.0.0/12"))).orElseThrow().toString()).isEqualTo("10.200.0.1/24");
        List<Ipv4Cidr> everything = new ArrayList<>(List.of(cidr("172.16.0.0/12"), cidr("10.0.0.0/8")));
        assertThat(FreeRange.choose(everything)).isEmpty();
    }
}
