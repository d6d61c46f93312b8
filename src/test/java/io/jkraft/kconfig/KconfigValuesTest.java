package io.jkraft.kconfig;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class KconfigValuesTest {

    @Test
    void renderWritesOffTheKconfigWayAndNormalisesValues() {
        KconfigValues v = new KconfigValues()
                .set("CONFIG_A", "y").set("B", "true").set("CONFIG_C", "n").set("CONFIG_D", "false")
                .set("CONFIG_NUM", "42").set("CONFIG_HEX", "0x1F").set("CONFIG_S", "hello world")
                .set("CONFIG_Q", "\"quoted\"");
        assertThat(v.render()).isEqualTo("""
                CONFIG_A=y
                CONFIG_B=y
                # CONFIG_C is not set
                # CONFIG_D is not set
                CONFIG_NUM=42
                CONFIG_HEX=0x1F
                CONFIG_S="hello world"
                CONFIG_Q="quoted"
                """);
    }

    @Test
    void setLaterLayerWinsAndMovesToTheEnd() {
        KconfigValues v = new KconfigValues().set("CONFIG_A", "y").set("CONFIG_B", "y").set("CONFIG_A", "n");
        assertThat(v.asMap()).containsExactly(Map.entry("CONFIG_B", "y"), Map.entry("CONFIG_A", "n"));
    }

    @Test
    void normaliseEscapesQuotesInStrings() {
        assertThat(KconfigValues.normalise("say \"hi\"")).isEqualTo("\"say \\\"hi\\\"\"");
    }
}
