package io.jkraft.origin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WgetRequestTest {
    private static final Path CWD = Path.of("/build/o");

    @Test
    void theArgumentsOfTheCoresRulesOldAndNew() {
        WgetRequest old = WgetRequest.parse(CWD, List.of("--jkraft-sha1=", "--jkraft-sha256=\"ABC123\"", "--jkraft-md5=",
                "-q", "--show-progress", "--progress=bar", "-O", "/build/o/liblwip/lwip.zip", "https://x.org/a/lwip.zip"));
        assertThat(old.output()).isEqualTo(Path.of("/build/o/liblwip/lwip.zip"));
        assertThat(old.url()).isEqualTo("https://x.org/a/lwip.zip");
        assertThat(old.sums()).isEqualTo(Map.of("sha256", "abc123"));
        assertThat(old.lockKey()).isEqualTo("liblwip/lwip.zip");
        assertThat(old.sumVariable("sha256")).isEqualTo("LIBLWIP_ORIGIN_SHA256");

        WgetRequest newer = WgetRequest.parse(CWD, List.of("-q", "--force-progress", "--progress=bar", "-Olibmusl/m.tgz",
                "http://h/m.tgz"));
        assertThat(newer.output()).isEqualTo(Path.of("/build/o/libmusl/m.tgz"));
        assertThat(newer.sums()).isEmpty();
        assertThat(WgetRequest.parse(CWD, List.of("https://h/archive/refs/tags/v1.0.tar.gz?x=1")).output())
                .isEqualTo(Path.of("/build/o/v1.0.tar.gz"));
    }

    @Test
    void whatTheStandInDoesNotTakeIsRefusedByName() {
        assertThatThrownBy(() -> WgetRequest.parse(CWD, List.of("-t", "3", "http://h/a"))).hasMessageContaining("-t");
        assertThatThrownBy(() -> WgetRequest.parse(CWD, List.of("http://h/a", "http://h/b"))).hasMessageContaining("one URL");
        assertThatThrownBy(() -> WgetRequest.parse(CWD, List.of("-O", "x"))).hasMessageContaining("no URL");
        assertThatThrownBy(() -> WgetRequest.parse(CWD, List.of("-O"))).hasMessageContaining("-O needs");
    }
}
