package io.jkraft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jkraft.index.IndexFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `pkg source/unsource/update/ls --libs/info/pull` through the CLI, in process, against a local index. */
class PkgIndexCliTest {
    @TempDir
    Path tmp;

    MachineCli cli;
    Path index;

    @BeforeEach
    void setUp() throws Exception {
        cli = new MachineCli(tmp);
        Path lib = Files.createDirectories(tmp.resolve("musl-src"));
        Files.writeString(lib.resolve("VERSION"), "1.2.3\n");
        byte[] tarball = IndexFixtures.tarGz(lib, "musl-1.2.3");
        Files.write(tmp.resolve("musl-1.2.3.tar.gz"), tarball);
        index = tmp.resolve("index.yaml");
        Files.writeString(index, """
                manifests:
                  - name: musl
                    type: lib
                    description: musl libc
                    versions:
                      - {version: 1.2.3, resource: ./musl-1.2.3.tar.gz, sha256: %s}
                      - {version: 1.10.0, resource: ./musl-1.10.0.tar.gz}
                  - name: unikraft
                    type: core
                    channels: [{name: stable, default: true, resource: "https://example.org/unikraft.tar.gz"}]
                """.formatted(IndexFixtures.sha256(tarball)));
    }

    @Test
    void sourceUpdateListInfoPullAndUnsource() throws Exception {
        cli.ok("pkg", "source", index.toString());
        assertThat(cli.ok("pkg", "update").err()).contains("updated 2 components");

        MachineCli.Result libs = cli.ok("pkg", "ls", "--libs");
        assertThat(libs.out()).contains("musl").doesNotContain("unikraft");
        JsonNode all = new ObjectMapper().readTree(cli.ok("pkg", "ls", "--index", "-o", "json").out());
        assertThat(all).hasSize(2);
        assertThat(all.get(0).get("versions").get(0).get("version").asText()).isEqualTo("1.10.0");
        JsonNode info = new ObjectMapper().readTree(cli.ok("pkg", "info", "core/unikraft", "-o", "json").out());
        assertThat(info.get("channels").get(0).get("default").asBoolean()).isTrue();
        assertThat(cli.ok("pkg", "info", "musl").out()).contains("lib/musl: musl libc", "version:  1.10.0");

        MachineCli.Result pulled = cli.ok("pkg", "pull", "musl@1.2.3");
        assertThat(Path.of(pulled.out().strip()).resolve("VERSION")).content().isEqualTo("1.2.3\n");

        MachineCli.Result unknown = cli.run("pkg", "info", "muls");
        assertThat(unknown.status()).isNotZero();
        assertThat(unknown.errors()).containsExactly("error: no component named 'muls' in the index; did you mean: musl?");

        // Not a component of the index: an image reference, pulled from its registry (none listens on port 1).
        MachineCli.Result notAComponent = cli.run("pkg", "pull", "127.0.0.1:1/hello:1.0");
        assertThat(notAComponent.status()).isNotZero();
        assertThat(notAComponent.err()).contains("cannot reach registry 127.0.0.1:1");
        assertThat(notAComponent.err()).doesNotContain("no component named");

        cli.ok("pkg", "unsource", index.toString());
        assertThat(tmp.resolve("config/jkraft/config.yaml")).content().doesNotContain(index.toString());
    }

    @Test
    void pkgLsWithoutFlagsStillListsLocalImages() {
        MachineCli.Result r = cli.ok("pkg", "ls");
        assertThat(r.out()).startsWith("REFERENCE");
    }
}
