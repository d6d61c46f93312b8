package io.jkraft.kconfig;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KconfigDriftTest {
    private static final String DOT_CONFIG = """
            #
            # Automatically generated file; DO NOT EDIT.
            #
            CONFIG_PLAT_KVM=y
            # CONFIG_LIBUKRANDOM is not set
            CONFIG_UK_NAME="helloworld"
            CONFIG_NUM=100
            """;

    @Test
    void parseReadsSetAndNotSetSymbols() {
        assertThat(DotConfig.parse(DOT_CONFIG)).containsExactly(
                Map.entry("CONFIG_PLAT_KVM", "y"), Map.entry("CONFIG_LIBUKRANDOM", "n"),
                Map.entry("CONFIG_UK_NAME", "\"helloworld\""), Map.entry("CONFIG_NUM", "100"));
    }

    @Test
    void compareReportsDroppedAndChangedNotWhatTookEffect() {
        Map<String, String> requested = new KconfigValues()
                .set("CONFIG_PLAT_KVM", "y").set("CONFIG_LIBUKRANDOM", "n").set("CONFIG_UK_NAME", "helloworld")
                .set("CONFIG_ABSENT_OFF", "n").set("CONFIG_DROPPED", "y").set("CONFIG_NUM", "500").asMap();
        List<KconfigDrift> drifts = KconfigDrift.compare(requested, DotConfig.parse(DOT_CONFIG));
        assertThat(drifts).containsExactly(
                new KconfigDrift("CONFIG_DROPPED", "y", null), new KconfigDrift("CONFIG_NUM", "500", "100"));
        assertThat(drifts.get(0).describe()).contains("CONFIG_DROPPED=y", "dropped", "dependencies");
        assertThat(drifts.get(1).describe()).contains("CONFIG_NUM=500", "CONFIG_NUM=100");
    }
}
