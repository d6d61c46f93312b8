package io.jkraft.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jkraft.common.FileTrees;
import io.jkraft.common.Invocation;
import io.jkraft.common.UserException;
import io.jkraft.config.JkraftConfig;
import io.jkraft.config.JkraftPaths;
import io.jkraft.kraftfile.KraftfileException;
import io.jkraft.testing.FixtureApp;
import io.jkraft.testing.FixtureRepos;
import io.jkraft.testing.QemuBoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Builds real kernels with the fixture core, fetched from git repositories the test creates. */
class BuildServiceTest {
    @TempDir
    Path tmp;

    FixtureRepos repos;
    Path app;
    RecordingListener listener;
    BuildService service;

    @BeforeEach
    void setUp() throws Exception {
        repos = FixtureRepos.create(tmp.resolve("mirror"));
        app = tmp.resolve("app");
        listener = new RecordingListener();
        JkraftPaths paths = new JkraftPaths(tmp.resolve("config"), tmp.resolve("data"), tmp.resolve("state"),
                tmp.resolve("cache"));
        service = new BuildService(new JkraftConfig(repos.base().toUri().toString()), paths, Invocation.ofThisProcess(), listener);
    }

    private static BuildRequest request(Path app, String... targets) {
        return request(app, false, Map.of(), targets);
    }

    private static BuildRequest request(Path app, boolean noFetch, Map<String, String> kconfig, String... targets) {
        return new BuildRequest(app, null, null, null, List.of(targets), false, 2, noFetch, false, false, kconfig, null);
    }

    @Tag("qemu")
    @Test
    void buildStableCoreBootsAndPrintsTheAppOutput() throws Exception {
        FixtureApp.create(app, "spec: v0.6\nname: hello\nunikraft: stable\ntargets: [qemu/x86_64]\n");

        List<BuildResult> results = service.build(request(app));

        BuildResult r = results.getFirst();
        assertThat(r.kernel()).isEqualTo(app.resolve(".unikraft/build/hello_qemu-x86_64")).isRegularFile();
        assertThat(r.debug()).isEqualTo(app.resolve(".unikraft/build/hello_qemu-x86_64.dbg")).isRegularFile();
        assertThat(r.upToDate()).isFalse();
        assertThat(r.objects()).isPositive();
        assertThat(listener.progressEvents.get()).isEqualTo(r.objects());
        assertThat(app.resolve(".config.hello_qemu-x86_64")).content().contains("CONFIG_ARCH_X86_64=y");
        assertThat(app.resolve(".unikraft/build/hello_qemu-x86_64.d/build.log")).content().contains("  CC      apphello: hello.o");
        assumeTrue(QemuBoot.available("x86_64"), QemuBoot.unavailableReason("x86_64"));
        QemuBoot.Result boot = QemuBoot.boot("x86_64", r.kernel(), "a \"b c\"", Duration.ofSeconds(30));
        assertThat(boot.output()).contains("core-revision: stable", FixtureApp.GREETING, "argv[1]: a", "argv[2]: b c");
    }

    @Test
    void buildSecondTimeWithNoChangeIsUpToDateWithoutMakeAndAChangeRebuilds() throws Exception {
        FixtureApp.create(app, "spec: v0.6\nname: hello\nunikraft: stable\ntargets: [qemu/x86_64]\n");
        service.build(request(app));
        listener.makeLines.clear();

        BuildResult again = service.build(request(app)).getFirst();
        assertThat(again.upToDate()).isTrue();
        assertThat(listener.makeLines).isEmpty();

        Path source = app.resolve(FixtureApp.SOURCE);
        Files.setLastModifiedTime(source, FileTime.from(Instant.now().plusSeconds(5)));
        BuildResult rebuilt = service.build(request(app)).getFirst();
        assertThat(rebuilt.upToDate()).isFalse();
        assertThat(listener.makeLines).contains("  CC      apphello: hello.o");

        listener.makeLines.clear();
        assertThat(service.build(request(app, false, Map.of("CONFIG_FIXTURE_NUM", "7"))).getFirst().upToDate())
                .as("a different kconfig is a different input").isFalse();
    }

    @Tag("qemu")
    @Test
    void buildCoreFromUrlAtReleaseTagAndLibraryFromTheMirror() throws Exception {
        String url = repos.base().resolve("unikraft").toUri().toString();
        FixtureApp.create(app, """
                spec: v0.6
                name: hello
                unikraft:
                  source: %s
                  version: RELEASE-0.17.0
                libraries:
                  fixturelib: stable
                targets: [qemu/x86_64]
                """.formatted(url));

        BuildResult r = service.build(request(app)).getFirst();

        assertThat(app.resolve(".config.hello_qemu-x86_64")).content().contains("CONFIG_LIBFIXTURELIB=y");
        assumeTrue(QemuBoot.available("x86_64"), QemuBoot.unavailableReason("x86_64"));
        String console = QemuBoot.boot("x86_64", r.kernel(), null, Duration.ofSeconds(30)).output();
        assertThat(console).contains("core-revision: release", "fixturelib says");
    }

    @Tag("qemu")
    @Test
    void buildKconfigLayersReachTheKernelAndDroppedOptionsAreReported() throws Exception {
        FixtureApp.create(app, """
                spec: v0.6
                name: hello
                unikraft:
                  version: stable
                  kconfig:
                    CONFIG_FIXTURE_NUM: 77
                    CONFIG_FIXTURE_CHILD: y
                targets:
                  - platform: qemu
                    architecture: x86_64
                    kconfig: [CONFIG_FIXTURE_MESSAGE="from target"]
                """);

        BuildResult r = service.build(request(app, false, Map.of("CONFIG_FIXTURE_NUM", "88"))).getFirst();

        assertThat(r.drifts()).extracting(d -> d.key()).containsExactly("CONFIG_FIXTURE_CHILD");
        assertThat(listener.warnings).anySatisfy(w -> assertThat(w).contains("CONFIG_FIXTURE_CHILD=y", "dropped"));
        assertThat(app.resolve(".config.hello_qemu-x86_64")).content().contains("CONFIG_FIXTURE_NUM=88");
        assumeTrue(QemuBoot.available("x86_64"), QemuBoot.unavailableReason("x86_64"));
        String console = QemuBoot.boot("x86_64", r.kernel(), null, Duration.ofSeconds(30)).output();
        assertThat(console).contains("CONFIG_FIXTURE_NUM=88", "from target");
    }

    @Test
    void buildOutOfRangeValueIsReportedAsChanged() throws Exception {
        FixtureApp.create(app, "spec: v0.6\nname: hello\nunikraft: stable\ntargets: [qemu/x86_64]\n");
        BuildResult r = service.build(request(app, false, Map.of("CONFIG_FIXTURE_NUM", "500"))).getFirst();
        assertThat(r.drifts()).singleElement().satisfies(d -> {
            assertThat(d.key()).isEqualTo("CONFIG_FIXTURE_NUM");
            assertThat(d.actual()).isEqualTo("42");
        });
    }

    @Test
    void buildCompileErrorNamesTheFirstErrorAndTheLog() throws Exception {
        FixtureApp.create(app, "spec: v0.6\nname: hello\nunikraft: stable\ntargets: [qemu/x86_64]\n");
        FixtureApp.breakSource(app);

        assertThatThrownBy(() -> service.build(request(app)))
                .isInstanceOf(BuildFailedException.class)
                .hasMessageContaining("hello.c:" + FixtureApp.BROKEN_LINE + ":")
                .hasMessageContaining("error:")
                .extracting(e -> ((UserException) e).hint()).asString().contains("build.log");
        assertThat(app.resolve(".unikraft/build/hello_qemu-x86_64")).doesNotExist();
    }

    @Tag("qemu")
    @Test
    void buildTwoArchitecturesInParallel() throws Exception {
        assumeTrue(QemuBoot.available("arm64"), QemuBoot.unavailableReason("arm64"));
        FixtureApp.create(app, "spec: v0.6\nname: hello\nunikraft: stable\ntargets: [qemu/x86_64, qemu/arm64]\n");

        List<BuildResult> results = service.build(request(app));

        assertThat(results).extracting(r -> r.target().architecture().kraftName()).containsExactly("x86_64", "arm64");
        for (BuildResult r : results) {
            // The first word is the program name: QEMU puts the kernel's path there on x86 only.
            String append = r.target().architecture().kraftName().equals("arm64") ? "hello x" : "x";
            QemuBoot.Result boot = QemuBoot.boot(r.target().architecture().kraftName(), r.kernel(), append, Duration.ofSeconds(30));
            assertThat(boot.output()).as(r.target().platArch()).contains(FixtureApp.GREETING, "argv[1]: x");
        }
    }

    @Test
    void buildNoFetchWithAnEmptyCacheSaysToFetchThenWorksOfflineAfterAFetch() throws Exception {
        FixtureApp.create(app, "spec: v0.6\nname: hello\nunikraft: stable\ntargets: [qemu/x86_64]\n");
        assertThatThrownBy(() -> service.build(request(app, true, Map.of())))
                .isInstanceOf(UserException.class)
                .extracting(e -> ((UserException) e).hint()).asString().contains("fetch");

        service.fetch(request(app));
        // The origin disappears: the cache alone must serve the build.
        FileTrees.deleteRecursively(repos.base());
        assertThat(service.build(request(app, true, Map.of())).getFirst().kernel()).isRegularFile();
    }

    @Test
    void buildBranchStaysAtItsResolvedCommitUntilFetchMovesIt() throws Exception {
        FixtureApp.create(app, "spec: v0.6\nname: hello\nunikraft: stable\ntargets: [qemu/x86_64]\n");
        service.build(request(app));
        repos.commit(FixtureRepos.CORE, FixtureRepos.STABLE, Map.of("NEWS", "moved\n"), "stable moves on");

        assertThat(service.build(request(app)).getFirst().upToDate()).as("no network round trip on build").isTrue();

        service.fetch(request(app));
        assertThat(service.build(request(app)).getFirst().upToDate()).as("fetch moved the branch").isFalse();
    }

    @Test
    void buildBrokenKraftfileIsALocatedError() throws Exception {
        FixtureApp.create(app, "spec: v0.6\nname: hello\nunikraft: stable\ntargets: [vmware/x86_64]\n");
        assertThatThrownBy(() -> service.build(request(app)))
                .isInstanceOf(KraftfileException.class)
                .hasMessageContaining("Kraftfile:4:").hasMessageContaining("vmware");
    }

    @Test
    void cleanProperRemovesOutputButKeepsTheConfig() throws Exception {
        FixtureApp.create(app, "spec: v0.6\nname: hello\nunikraft: stable\ntargets: [qemu/x86_64]\n");
        service.build(request(app));
        service.clean(request(app), false);
        assertThat(app.resolve(".unikraft/build/hello_qemu-x86_64.d/apphello")).doesNotExist();
        assertThat(service.build(request(app)).getFirst().upToDate()).as("clean forgets the stamp").isFalse();

        service.clean(request(app), true);
        assertThat(app.resolve(".unikraft/build/hello_qemu-x86_64")).doesNotExist();
        assertThat(app.resolve(".unikraft/build/hello_qemu-x86_64.d")).doesNotExist();
        assertThat(app.resolve(".config.hello_qemu-x86_64")).exists();
    }
}
