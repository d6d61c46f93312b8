package io.jkraft.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SemanticVersionTest {
    @Test
    void numbersCompareAsNumbersNotAsText() {
        assertThat(SemanticVersion.compare("0.10.0", "0.9.1")).isPositive();
        assertThat(SemanticVersion.compare("1.2.10", "1.2.9")).isPositive();
        assertThat(SemanticVersion.compare("v1.0.0", "1.0.0")).isZero();
        assertThat(SemanticVersion.compare("1.0", "1.0.0")).isZero();
        assertThat(SemanticVersion.compare("1.0.0+build.5", "1.0.0")).isZero();
    }

    @Test
    void preReleasesRankBelowTheirReleaseInSemverOrder() {
        List<String> sorted = new ArrayList<>(List.of("1.0.0", "1.0.0-rc.1", "1.0.0-alpha", "1.0.0-alpha.1",
                "1.0.0-beta.11", "1.0.0-beta.2", "1.0.0-beta", "0.17.0"));
        sorted.sort(SemanticVersion.ORDER);
        assertThat(sorted).containsExactly("0.17.0", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-beta", "1.0.0-beta.2",
                "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0");
    }

    @Test
    void manifestHighestVersionUsesTheOrder() {
        Manifest m = new Manifest("musl", ComponentType.LIB, null, null, null, List.of(),
                List.of(v("0.9.1"), v("0.10.0-rc.1"), v("0.10.0"), v("0.2.0")), "src");
        assertThat(m.highestVersion()).get().extracting(ManifestVersion::version).isEqualTo("0.10.0");
        assertThat(m.versionsDescending()).extracting(ManifestVersion::version)
                .containsExactly("0.10.0", "0.10.0-rc.1", "0.9.1", "0.2.0");
    }

    private static ManifestVersion v(String version) {
        return new ManifestVersion(version, "semver", "https://example.org/" + version + ".tar.gz", null, null);
    }
}
