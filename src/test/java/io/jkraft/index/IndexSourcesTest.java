package io.jkraft.index;

import static io.jkraft.index.IndexFixtures.leftovers;
import static io.jkraft.index.IndexFixtures.libTarGz;
import static io.jkraft.index.IndexFixtures.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.jkraft.common.Invocation;
import io.jkraft.common.UserException;
import io.jkraft.config.JkraftPaths;
import io.jkraft.kraftfile.Component;
import io.jkraft.source.GitOrigin;
import io.jkraft.source.Origin;
import io.jkraft.testing.FixtureRepos;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Index sources over HTTP and git, interrupted pulls, and what builds resolve through the local copy. */
class IndexSourcesTest {
    @TempDir
    Path tmp;

    JkraftPaths paths;
    IndexService service;

    @BeforeEach
    void setUp() {
        paths = new JkraftPaths(tmp.resolve("config"), tmp.resolve("data"), tmp.resolve("state"), tmp.resolve("cache"));
        service = new IndexService(paths, Invocation.ofThisProcess(), s -> { });
    }

    @Test
    void anInterruptedDownloadLeavesNoPartialCacheAndTheNextPullWorks() throws Exception {
        byte[] tarball = libTarGz(tmp, "musl", "stable");
        boolean[] cutShort = {true};
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            try (exchange) {
                if (exchange.getRequestURI().getPath().endsWith("index.yaml")) {
                    byte[] index = ("manifests:\n  - name: musl\n    type: lib\n    channels:\n"
                            + "      - {name: stable, default: true, resource: ./musl.tar.gz, sha256: " + sha256(tarball) + "}\n")
                            .getBytes();
                    exchange.sendResponseHeaders(200, index.length);
                    exchange.getResponseBody().write(index);
                    return;
                }
                exchange.sendResponseHeaders(200, tarball.length);
                OutputStream out = exchange.getResponseBody();
                if (cutShort[0]) {
                    out.write(Arrays.copyOf(tarball, tarball.length / 2));
                    out.flush();
                    // closing with bytes missing makes the server drop the connection mid-body
                } else {
                    out.write(tarball);
                }
            }
        });
        server.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            service.addSource(base + "/index.yaml");
            service.update();

            assertThatThrownBy(() -> service.pull(ComponentQuery.parse("musl"))).isInstanceOf(UserException.class)
                    .hasMessageContaining(base + "/musl.tar.gz");
            assertThat(leftovers(paths.sourcesDir())).isEmpty();

            cutShort[0] = false;
            IndexService.Pulled pulled = service.pull(ComponentQuery.parse("musl"));
            assertThat(pulled.fetched().dir().resolve("VERSION")).content().isEqualTo("stable\n");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aGitRepositoryHoldingAnIndexIsASourceWithResourcesInsideTheRepository() throws Exception {
        Path repo = tmp.resolve("manifests-repo");
        Files.createDirectories(repo.resolve("libs"));
        Files.write(repo.resolve("libs/lwip.tar.gz"), libTarGz(tmp, "lwip", "2.1.2"));
        Files.writeString(repo.resolve("index.yaml"), "manifests:\n  - {name: lwip, type: lib, manifest: ./libs/lwip.yaml}\n");
        Files.writeString(repo.resolve("libs/lwip.yaml"),
                "name: lwip\ntype: lib\nversions:\n  - {version: 2.1.2, resource: ./lwip.tar.gz}\n");
        try (Git git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
            git.add().addFilepattern(".").call();
            git.commit().setMessage("index").setAuthor("t", "t@example.org").setCommitter("t", "t@example.org")
                    .setSign(false).call();
        }
        Path bare = tmp.resolve("manifests.git");
        Git.cloneRepository().setURI(repo.toUri().toString()).setDirectory(bare.toFile()).setBare(true).call().close();

        service.addSource(bare.toUri().toString());
        service.update();

        Manifest lwip = service.info(ComponentQuery.parse("lwip"));
        assertThat(lwip.source()).isEqualTo(bare.toUri().toString());
        assertThat(service.pull(ComponentQuery.parse("lwip@2.1.2")).fetched().dir().resolve("VERSION"))
                .content().isEqualTo("2.1.2\n");
    }

    @Test
    void buildsResolveThroughTheLocalCopyChannelsVersionsAndTheGitOriginElseTheDefaultOrigins() throws Exception {
        FixtureRepos repos = FixtureRepos.create(tmp.resolve("mirror"));
        Path index = tmp.resolve("index.yaml");
        String core = repos.core().toUri().toString();
        Files.writeString(index, """
                manifests:
                  - name: unikraft
                    type: core
                    origin: %s
                    channels: [{name: stable, default: true, resource: "%s"}]
                    versions: [{version: 0.17.0, resource: "%s?tag=RELEASE-0.17.0"}]
                """.formatted(core, core, core));
        IndexResolver before = IndexService.resolver(paths);
        assertThat(before.origin(component("unikraft", "stable"), true)).isEmpty();
        service.addSource(index.toString());
        service.update();

        IndexResolver resolver = IndexService.resolver(paths);
        assertThat(resolver.origin(component("unikraft", "stable"), true)).contains(new GitOrigin(core, "stable"));
        assertThat(resolver.origin(component("unikraft", null), true)).contains(new GitOrigin(core, "stable"));
        assertThat(resolver.origin(component("unikraft", "0.17.0"), true)).contains(new GitOrigin(core, "RELEASE-0.17.0"));
        assertThat(resolver.origin(component("unikraft", "staging"), true)).contains(new GitOrigin(core, "staging"));
        Optional<Origin> notListed = resolver.origin(component("musl", "stable"), false);
        assertThat(notListed).isEmpty();
        assertThat(service.list(Set.of(ComponentType.CORE))).hasSize(1);
    }

    private static Component component(String name, String version) {
        return new Component(name, null, version, Map.of());
    }
}
