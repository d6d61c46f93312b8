package io.jkraft.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SuggestionsTest {
    @Test
    void aSwapOfTwoLettersIsOneEdit() {
        assertThat(Suggestions.distance("muls", "musl", 3)).isEqualTo(1);
        assertThat(Suggestions.distance("lwip", "lwip", 3)).isZero();
        assertThat(Suggestions.distance("newlib", "nginx", 3)).isGreaterThan(1);
    }

    @Test
    void closestNamesFirstAndFarOnesLeftOut() {
        List<String> names = List.of("musl", "newlib", "lwip", "nginx", "mbedtls", "musl-extra");
        assertThat(Suggestions.closest("muls", names)).containsExactly("musl");
        assertThat(Suggestions.closest("ngnix", names)).containsExactly("nginx");
        assertThat(Suggestions.closest("zzzzzz", names)).isEmpty();
    }
}
