package io.jkraft.kraftfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SubstitutionAndSplittingTest {

    private final Interpolator interpolator = new Interpolator(Map.of("A", "1", "E", "", "PATH_X", "/p"));

    @Test
    void substitutesLikeCompose() {
        assertThat(interpolator.apply("plain")).isEqualTo("plain");
        assertThat(interpolator.apply("$A ${A} $PATH_X/bin")).isEqualTo("1 1 /p/bin");
        assertThat(interpolator.apply("${UNSET}|$UNSET|")).isEqualTo("||");
        assertThat(interpolator.apply("${UNSET:-d} ${E:-d} ${E-d} ${UNSET-d}")).isEqualTo("d d  d");
        assertThat(interpolator.apply("${A:+x} ${E:+x} ${E+x} ${UNSET+x}")).isEqualTo("x  x ");
        assertThat(interpolator.apply("$$A $${A} cost: $$5")).isEqualTo("$A ${A} cost: $5");
        assertThat(interpolator.apply("${UNSET:-${A}-${UNSET:-z}}")).isEqualTo("1-z");
        assertThat(interpolator.apply("${A:?needed}")).isEqualTo("1");
    }

    @Test
    void rejectsMalformedTemplates() {
        for (String bad : new String[] {"${A", "${}", "${1A}", "$", "a $ b", "${A:x}", "${A!}"}) {
            assertThatThrownBy(() -> interpolator.apply(bad)).as(bad).isInstanceOf(Interpolator.Invalid.class);
        }
        assertThat(interpolator.apply("${E?x}")).isEmpty(); // set but empty passes '?' without a colon
        assertThatThrownBy(() -> interpolator.apply("${E:?x}")).hasMessage("required variable E is empty (x)");
        assertThatThrownBy(() -> interpolator.apply("${U?}")).hasMessage("required variable U is not set");
    }

    @Test
    void splitsCommandLines() {
        assertThat(ShellWords.split("")).isEmpty();
        assertThat(ShellWords.split("  a\tb\n c  ")).containsExactly("a", "b", "c");
        assertThat(ShellWords.split("-c 'x y' \"p q\"")).containsExactly("-c", "x y", "p q");
        assertThat(ShellWords.split("a'b'\"c\"d")).containsExactly("abcd");
        assertThat(ShellWords.split("'it''s' \"say \\\"hi\\\" \\n\"")).containsExactly("its", "say \"hi\" \\n");
        assertThat(ShellWords.split("a\\ b '' \"\"")).containsExactly("a b", "", "");
        assertThatThrownBy(() -> ShellWords.split("a 'b")).hasMessage("'");
        assertThatThrownBy(() -> ShellWords.split("a \"b")).hasMessage("\"");
    }
}
