package io.jkraft.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jkraft.common.UserException;
import io.jkraft.source.SourceCache;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading KraftKit-format indexes: inline manifests, references to manifest files, relative resources. */
class IndexReaderTest {
    @TempDir
    Path tmp;

    private List<Manifest> read(Path index) {
        return new IndexReader(new SourceCache(tmp.resolve("sources"), s -> { }), tmp).read(index.toString());
    }

    @Test
    void inlineAndReferencedManifestsWithChannelsVersionsAndResourcesMadeAbsolute() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("idx"));
        Files.createDirectories(dir.resolve("libs"));
        Files.writeString(dir.resolve("index.yaml"), """
                spec: v0.1
                name: test index
                last_updated: 2024-01-01T00:00:00Z
                manifests:
                  - name: unikraft
                    type: core
                    description: The core
                    origin: https://github.com/unikraft/unikraft.git
                    channels:
                      - name: stable
                        default: true
                        latest: 0.17.0
                        resource: ./tarballs/unikraft-stable.tar.gz
                        sha256: %s
                      - name: staging
                        resource: https://example.org/unikraft-staging.tar.gz
                    versions:
                      - version: 0.17.0
                        type: semver
                        resource: https://example.org/unikraft-0.17.0.tar.gz
                  - name: musl
                    type: lib
                    manifest: ./libs/musl.yaml
                """.formatted("a".repeat(64)));
        Files.writeString(dir.resolve("libs/musl.yaml"), """
                name: musl
                type: lib
                provider: manifest
                versions:
                  - version: 1.2.3
                    resource: ../tarballs/musl-1.2.3.tar.gz
                    unikraft: 0.17.0
                """);

        List<Manifest> manifests = read(dir.resolve("index.yaml"));

        assertThat(manifests).extracting(Manifest::qualifiedName).containsExactly("core/unikraft", "lib/musl");
        Manifest core = manifests.getFirst();
        assertThat(core.defaultChannel()).get().extracting(Channel::name).isEqualTo("stable");
        assertThat(core.channel("stable").orElseThrow().resource())
                .isEqualTo(dir.resolve("tarballs/unikraft-stable.tar.gz").toUri().toString());
        assertThat(core.channel("stable").orElseThrow().sha256().hex()).isEqualTo("a".repeat(64));
        assertThat(core.channel("staging").orElseThrow().resource()).isEqualTo("https://example.org/unikraft-staging.tar.gz");
        Manifest musl = manifests.get(1);
        assertThat(musl.provider()).isEqualTo("manifest");
        assertThat(musl.version("1.2.3").orElseThrow().resource())
                .isEqualTo(dir.resolve("tarballs/musl-1.2.3.tar.gz").toUri().toString());
        assertThat(musl.source()).isEqualTo(dir.resolve("index.yaml").toString());
    }

    @Test
    void aFolderHoldingIndexYamlIsAnIndexSource() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("folder"));
        Files.writeString(dir.resolve("index.yaml"), "manifests:\n  - {name: lwip, type: lib, versions: [{version: 2.1.2, resource: x.tar.gz}]}\n");
        assertThat(read(dir)).extracting(Manifest::name).containsExactly("lwip");
    }

    @Test
    void errorsNameFileLineAndColumn() throws Exception {
        Path index = tmp.resolve("bad.yaml");
        Files.writeString(index, """
                manifests:
                  - name: musl
                    type: library
                    channels: []
                """);
        assertThatThrownBy(() -> read(index)).isInstanceOf(UserException.class)
                .hasMessage(index + ":3:11: unknown component type 'library'")
                .extracting(e -> ((UserException) e).hint()).asString().contains("core, arch, plat, lib, app");

        Files.writeString(index, """
                manifests:
                  - name: musl
                    type: lib
                    channels:
                      - name: stable
                        sha256: 1234
                """);
        assertThatThrownBy(() -> read(index)).hasMessageContaining(index + ":5:") .hasMessageContaining("'resource' is missing");
    }

    @Test
    void mappingsAreReadAsInAKraftfileMergeKeysResolvedAndAKeyTwiceRefused() throws Exception {
        Path index = tmp.resolve("merged.yaml");
        Files.writeString(index, """
                x-common: &lib {type: lib, description: shared}
                manifests:
                  - <<: *lib
                    name: musl
                    versions: [{version: 1.2.3, resource: https://example.org/musl.tar.gz}]
                """);
        assertThat(read(index)).singleElement().satisfies(m -> {
            assertThat(m.qualifiedName()).isEqualTo("lib/musl");
            assertThat(m.description()).isEqualTo("shared");
        });

        Files.writeString(index, """
                manifests:
                  - name: musl
                    type: lib
                    name: newlib
                """);
        assertThatThrownBy(() -> read(index)).isInstanceOf(UserException.class).hasMessage(index
                + ":4:5: duplicate key 'name': found 'name' a second time, expected each key once per mapping");
    }

    @Test
    void aMissingSourceIsOneClearError() {
        assertThatThrownBy(() -> read(tmp.resolve("nope")))
                .isInstanceOf(UserException.class).hasMessageContaining("does not exist or holds no index.yaml");
    }
}
