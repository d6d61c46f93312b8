package io.jkraft.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jkraft.common.Invocation;
import io.jkraft.config.JkraftConfig;
import io.jkraft.config.JkraftPaths;
import io.jkraft.index.IndexFixtures;
import io.jkraft.index.IndexService;
import io.jkraft.testing.FixtureApp;
import io.jkraft.testing.FixtureRepos;
import io.jkraft.testing.QemuBoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `unikraft: stable` served by a local index with no internet: the origin base points at a folder that
 * does not exist, so only the index can supply the core.
 */
class BuildFromIndexTest {
    @TempDir
    Path tmp;

    JkraftPaths paths;
    BuildService service;
    IndexService index;
    Path app;

    @BeforeEach
    void setUp() {
        paths = new JkraftPaths(tmp.resolve("config"), tmp.resolve("data"), tmp.resolve("state"), tmp.resolve("cache"));
        String nowhere = tmp.resolve("no-mirror-here").toUri().toString();
        service = new BuildService(new JkraftConfig(nowhere), paths, Invocation.ofThisProcess(), new RecordingListener());
        index = new IndexService(paths, Invocation.ofThisProcess(), s -> { });
        app = tmp.resolve("app");
    }

    private static BuildRequest request(Path app) {
        return new BuildRequest(app, null, null, null, List.of("qemu/x86_64"), false, 2, false, false, false, Map.of(), null);
    }

    @Tag("qemu")
    @Test
    void stableChannelOfALocalIndexPointingToAGitRepositoryServesTheCore() throws Exception {
        FixtureRepos repos = FixtureRepos.create(tmp.resolve("repos"));
        Path core = Files.move(repos.core(), tmp.resolve("elsewhere-fixture-core"));
        Files.writeString(tmp.resolve("index.yaml"), """
                manifests:
                  - name: unikraft
                    type: core
                    channels:
                      - {name: stable, default: true, resource: "%s"}
                """.formatted(core.toUri()));
        index.addSource(tmp.resolve("index.yaml").toString());
        index.update();
        FixtureApp.create(app, "spec: v0.6\nname: hello\nunikraft: stable\ntargets: [qemu/x86_64]\n");

        BuildResult r = service.build(request(app)).getFirst();

        assertThat(r.kernel()).isRegularFile();
        assumeTrue(QemuBoot.available("x86_64"), QemuBoot.unavailableReason("x86_64"));
        QemuBoot.Result boot = QemuBoot.boot("x86_64", r.kernel(), "", Duration.ofSeconds(30));
        assertThat(boot.output()).contains("core-revision: stable", FixtureApp.GREETING);
    }

    @Test
    void stableChannelOfALocalIndexPointingToATarballWithItsSha256ServesTheCore() throws Exception {
        byte[] tarball = IndexFixtures.tarGz(FixtureRepos.coreDir(), "unikraft-stable");
        Files.write(tmp.resolve("unikraft-stable.tar.gz"), tarball);
        Files.writeString(tmp.resolve("index.yaml"), """
                manifests:
                  - name: unikraft
                    type: core
                    channels:
                      - {name: stable, default: true, resource: ./unikraft-stable.tar.gz, sha256: %s}
                """.formatted(IndexFixtures.sha256(tarball)));
        index.addSource(tmp.resolve("index.yaml").toString());
        index.update();
        FixtureApp.create(app, "spec: v0.6\nname: hello\nunikraft: stable\ntargets: [qemu/x86_64]\n");

        BuildResult r = service.build(request(app)).getFirst();

        assertThat(r.kernel()).isRegularFile();
        assertThat(paths.sourcesDir().resolve("archives").resolve(IndexFixtures.sha256(tarball))).isDirectory();
    }
}
