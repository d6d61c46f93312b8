package io.jkraft.index;

import static io.jkraft.index.IndexFixtures.leftovers;
import static io.jkraft.index.IndexFixtures.libTarGz;
import static io.jkraft.index.IndexFixtures.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jkraft.common.Invocation;
import io.jkraft.common.UserException;
import io.jkraft.config.JkraftPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** pkg source/unsource/update/ls/info/pull through the service, against index files and tarballs the test writes. */
class IndexServiceTest {
    @TempDir
    Path tmp;

    JkraftPaths paths;
    IndexService service;
    List<String> progress = new ArrayList<>();
    Path indexDir;
    String stableSha;

    @BeforeEach
    void setUp() throws Exception {
        paths = new JkraftPaths(tmp.resolve("config"), tmp.resolve("data"), tmp.resolve("state"), tmp.resolve("cache"));
        service = new IndexService(paths, Invocation.ofThisProcess(), progress::add);
        indexDir = Files.createDirectories(tmp.resolve("index"));
        Files.createDirectories(indexDir.resolve("tarballs"));
        byte[] stable = libTarGz(tmp, "musl", "stable");
        stableSha = sha256(stable);
        Files.write(indexDir.resolve("tarballs/musl-stable.tar.gz"), stable);
        Files.write(indexDir.resolve("tarballs/musl-1.2.3.tar.gz"), libTarGz(tmp, "musl", "1.2.3"));
        Files.write(indexDir.resolve("tarballs/musl-1.10.0.tar.gz"), libTarGz(tmp, "musl", "1.10.0"));
        writeIndex(indexDir.resolve("index.yaml"), "musl", stableSha);
    }

    static void writeIndex(Path file, String libName, String stableSha) throws Exception {
        Files.writeString(file, """
                name: local
                manifests:
                  - name: %s
                    type: lib
                    description: A C library
                    channels:
                      - name: stable
                        default: true
                        resource: ./tarballs/musl-stable.tar.gz
                        sha256: %s
                    versions:
                      - version: 1.2.3
                        type: semver
                        resource: ./tarballs/musl-1.2.3.tar.gz
                      - version: 1.10.0
                        type: semver
                        resource: ./tarballs/musl-1.10.0.tar.gz
                  - name: newlib
                    type: lib
                    versions: [{version: 4.0.0, resource: https://example.org/newlib.tar.gz}]
                  - name: helloworld
                    type: app
                    channels: [{name: stable, default: true, resource: https://example.org/hello.tar.gz}]
                """.formatted(libName, stableSha));
    }

    @Test
    void sourceAndUnsourceEditTheConfigKeepingOtherSettingsAndLeavingNoTemporaryFile() throws Exception {
        Files.createDirectories(paths.configDir());
        Files.writeString(paths.configFile(), "origin_base: file:///srv/mirror\n");

        String recorded = service.addSource(indexDir.toString());
        service.addSource(indexDir.toString());

        assertThat(recorded).isEqualTo(indexDir.toString());
        assertThat(service.sources()).containsExactly(indexDir.toString());
        assertThat(paths.configFile()).content().contains("origin_base: file:///srv/mirror", "manifests:", indexDir.toString());
        try (Stream<Path> files = Files.list(paths.configDir())) {
            assertThat(files).containsExactly(paths.configFile());
        }
        assertThatThrownBy(() -> service.removeSource("/not/there")).isInstanceOf(UserException.class)
                .hasMessageContaining("is not an index source").extracting(e -> ((UserException) e).hint())
                .asString().contains(indexDir.toString());
        service.removeSource(indexDir.toString());
        assertThat(service.sources()).isEmpty();
        assertThat(paths.configFile()).content().contains("origin_base").doesNotContain("manifests");
    }

    @Test
    void sourceOfSomethingThatIsNoIndexIsRefusedAndTheConfigStaysAsItWas() throws Exception {
        Path notIndex = tmp.resolve("notes.yaml");
        Files.writeString(notIndex, "hello: world\n");
        assertThatThrownBy(() -> service.addSource(notIndex.toString())).isInstanceOf(UserException.class)
                .hasMessageContaining(notIndex + ":1:1: 'name' is missing");
        assertThat(paths.configFile()).doesNotExist();
    }

    @Test
    void updateThenListInfoAndPullByDefaultChannelChannelAndVersion() throws Exception {
        service.addSource(indexDir.resolve("index.yaml").toString());
        IndexService.UpdateSummary summary = service.update();

        assertThat(summary.total()).isEqualTo(3);
        assertThat(service.list(Set.of(ComponentType.LIB))).extracting(Manifest::name).containsExactly("musl", "newlib");
        assertThat(service.list(Set.of(ComponentType.APP))).extracting(Manifest::name).containsExactly("helloworld");
        assertThat(service.list(Set.of(ComponentType.CORE))).isEmpty();
        Manifest musl = service.info(ComponentQuery.parse("lib/musl"));
        assertThat(musl.versionsDescending()).extracting(ManifestVersion::version).containsExactly("1.10.0", "1.2.3");

        IndexService.Pulled bare = service.pull(ComponentQuery.parse("musl"));
        IndexService.Pulled channel = service.pull(ComponentQuery.parse("musl:stable"));
        IndexService.Pulled version = service.pull(ComponentQuery.parse("lib/musl@1.2.3"));
        IndexService.Pulled latest = service.pull(ComponentQuery.parse("musl@latest"));

        assertThat(bare.selection().label()).isEqualTo("stable");
        assertThat(bare.fetched().dir().resolve("VERSION")).content().isEqualTo("stable\n");
        assertThat(bare.fetched().revision()).isEqualTo(stableSha);
        assertThat(bare.fetched().dir()).startsWith(paths.sourcesDir());
        assertThat(channel.fetched()).isEqualTo(bare.fetched());
        assertThat(latest.fetched()).isEqualTo(bare.fetched());
        assertThat(version.fetched().dir().resolve("VERSION")).content().isEqualTo("1.2.3\n");
        assertThatThrownBy(() -> service.pull(ComponentQuery.parse("musl@9.9.9"))).isInstanceOf(UserException.class)
                .hasMessageContaining("has no channel or version '9.9.9'")
                .hasMessageContaining("versions: 1.10.0, 1.2.3");
    }

    @Test
    void anUnknownNameSuggestsTheClosestNames() throws Exception {
        service.addSource(indexDir.toString());
        service.update();
        assertThatThrownBy(() -> service.pull(ComponentQuery.parse("muls")))
                .isInstanceOf(UserException.class)
                .hasMessage("no component named 'muls' in the index; did you mean: musl?");
        assertThatThrownBy(() -> service.info(ComponentQuery.parse("qqqqqq")))
                .hasMessage("no component named 'qqqqqq' in the index");
    }

    @Test
    void pullChecksumMismatchIsRefusedAndNothingIsLeftInTheCache() throws Exception {
        writeIndex(indexDir.resolve("index.yaml"), "musl", "0".repeat(64));
        service.addSource(indexDir.toString());
        service.update();

        assertThatThrownBy(() -> service.pull(ComponentQuery.parse("musl:stable")))
                .isInstanceOf(UserException.class)
                .hasMessageContaining("has SHA-256 " + stableSha)
                .hasMessageContaining("but " + "0".repeat(64) + " is expected");
        assertThat(leftovers(paths.sourcesDir())).isEmpty();
    }

    @Test
    void updateWithAFailingSourceLeavesThePreviousCopyIntact() throws Exception {
        service.addSource(indexDir.toString());
        service.update();
        Path second = Files.createDirectories(tmp.resolve("second"));
        writeIndex(second.resolve("index.yaml"), "lwip", stableSha);
        service.addSource(second.toString());
        Files.writeString(second.resolve("index.yaml"), "manifests:\n  - name: lwip\n    type: [broken\n");

        assertThatThrownBy(service::update).isInstanceOf(UserException.class)
                .hasMessageContaining("index source " + second)
                .hasMessageContaining("the local copy was left as it was");

        assertThat(service.list(Set.of())).extracting(Manifest::name).containsExactly("musl", "newlib", "helloworld");
        try (Stream<Path> copies = Files.list(IndexService.localCopyDir(paths).resolve("copies"))) {
            assertThat(copies).hasSize(1);
        }
        writeIndex(second.resolve("index.yaml"), "lwip", stableSha);
        IndexService.UpdateSummary summary = service.update();
        assertThat(summary.shadowed()).as("newlib and helloworld are listed by both; the first source wins").isEqualTo(2);
        assertThat(service.list(Set.of(ComponentType.LIB))).extracting(Manifest::name).containsExactly("musl", "newlib", "lwip");
        assertThat(service.info(ComponentQuery.parse("newlib")).source()).isEqualTo(indexDir.toString());
    }

    @Test
    void noLocalCopySaysToUpdate() {
        assertThatThrownBy(() -> service.list(Set.of())).isInstanceOf(UserException.class)
                .hasMessageContaining("no local copy").extracting(e -> ((UserException) e).hint())
                .asString().contains("pkg source");
        assertThat(service.knows("musl")).isFalse();
    }
}
