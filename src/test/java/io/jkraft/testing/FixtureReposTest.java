package io.jkraft.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FixtureReposTest {

    @TempDir
    Path tmp;

    @Test
    void coreHasTagStableAndStagingOnDistinctCommits() throws Exception {
        FixtureRepos repos = FixtureRepos.create(tmp.resolve("origin"));

        String tag = repos.resolve("unikraft", FixtureRepos.RELEASE_TAG);
        String stable = repos.resolve("unikraft", "stable");
        String staging = repos.resolve("unikraft", "staging");
        assertThat(tag).isNotEqualTo(stable);
        assertThat(stable).isNotEqualTo(staging);
        assertThat(repos.resolve("unikraft", "HEAD")).isEqualTo(staging);
        assertThat(repos.core().resolve("version.mk")).content().contains("FIXTURE_REVISION := staging");
        assertThat(repos.libraries()).contains("fixturelib");
        assertThat(repos.resolve("lib-fixturelib", FixtureRepos.RELEASE_TAG))
                .isEqualTo(repos.resolve("lib-fixturelib", "stable"))
                .isEqualTo(repos.resolve("lib-fixturelib", "staging"));
        assertThat(repos.library("fixturelib").resolve("Makefile.uk")).exists();
    }

    @Test
    void scriptsStayExecutableInTheCommittedTree() throws Exception {
        FixtureRepos repos = FixtureRepos.create(tmp.resolve("origin"));

        try (Repository repo = Git.open(repos.core().toFile()).getRepository();
                RevWalk walk = new RevWalk(repo)) {
            var tree = walk.parseCommit(repo.resolve(FixtureRepos.RELEASE_TAG + "^{commit}")).getTree();
            try (TreeWalk entry = TreeWalk.forPath(repo, "support/scripts/kconfig.sh", tree)) {
                assertThat(entry).isNotNull();
                assertThat(entry.getFileMode(0)).isEqualTo(FileMode.EXECUTABLE_FILE);
            }
            try (TreeWalk entry = TreeWalk.forPath(repo, "Makefile", tree)) {
                assertThat(entry.getFileMode(0)).isEqualTo(FileMode.REGULAR_FILE);
            }
        }
    }

    @Test
    void commitAddsToABranchAndKeepsTheCheckout() throws Exception {
        FixtureRepos repos = FixtureRepos.create(tmp.resolve("origin"));
        String before = repos.resolve("unikraft", "stable");

        String id = repos.commit("unikraft", "stable", Map.of("NEWS", "fixed\n"), "Upstream fix");

        assertThat(repos.resolve("unikraft", "stable")).isEqualTo(id).isNotEqualTo(before);
        assertThat(repos.resolve("unikraft", "HEAD")).isEqualTo(repos.resolve("unikraft", "staging"));
        assertThat(repos.core().resolve("NEWS")).doesNotExist();
    }

    @Tag("qemu")
    @Test
    void clonedStableCoreBuildsAndBootsAsStable() throws Exception {
        assumeTrue(QemuBoot.available("x86_64"), () -> QemuBoot.unavailableReason("x86_64"));
        FixtureRepos repos = FixtureRepos.create(tmp.resolve("origin"));
        Path core = tmp.resolve("cache/unikraft");
        Git.cloneRepository().setURI(repos.core().toUri().toString()).setDirectory(core.toFile())
                .setBranch("stable").call().close();
        FixtureMake make = FixtureMake.forApp(core, FixtureApp.create(tmp.resolve("hello"), null));
        Path defconfig = Files.writeString(tmp.resolve("defconfig"), "CONFIG_PLAT_KVM=y\n");
        assertThat(make.defconfig(defconfig).exitCode()).isZero();
        FixtureMake.Result build = make.run("-j4");
        assertThat(build.exitCode()).as(build.output()).isZero();

        QemuBoot.Result boot = QemuBoot.boot("x86_64", make.image("hello", "qemu", "x86_64"), null,
                Duration.ofSeconds(60));

        assertThat(boot.lines()).contains("core-revision: stable", "main returned 0");
    }
}
