package io.jkraft.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jkraft.common.FileTrees;
import io.jkraft.common.UserException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GitFetchTest {
    @TempDir
    Path tmp;

    OriginRepo origin;
    Path root;
    final List<String> messages = new CopyOnWriteArrayList<>();
    SourceCache cache;

    @BeforeEach
    void setUp() throws Exception {
        origin = OriginRepo.create(tmp.resolve("origin"));
        root = tmp.resolve("cache");
        cache = new SourceCache(root, messages::add);
    }

    @AfterEach
    void tearDown() {
        origin.close();
    }

    private FetchedSource fetch(String ref) {
        return cache.fetch(new GitOrigin(origin.url(), ref), false);
    }

    private Repository bare() throws Exception {
        return new FileRepositoryBuilder().setGitDir(root.resolve("git")
                .resolve(GitFetcher.repoKey(origin.url())).toFile()).setMustExist(true).build();
    }

    /**
     * A git server (git://, or smart HTTP) that takes the connection and never says anything: the fetch ends
     * after JGit's timeout with a message naming the URL. Over git:// it waited for ever before (JGit's alarm
     * interrupts a thread that a platform thread's socket read does not notice).
     */
    @ParameterizedTest
    @ValueSource(strings = {"git", "http"})
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a hang without the fix
    void aServerThatAcceptsAndNeverAnswersEndsTheFetchNamingIt(String scheme) throws Exception {
        List<Socket> held = new CopyOnWriteArrayList<>();
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    while (true) {
                        held.add(silent.accept());
                    }
                } catch (IOException e) {
                    // the test is over
                }
            });
            String url = scheme + "://127.0.0.1:" + silent.getLocalPort() + "/silent.git";
            SourceCache patient = new SourceCache(root, messages::add, Duration.ofSeconds(1));
            assertThatThrownBy(() -> patient.fetch(new GitOrigin(url, "main"), false))
                    .isInstanceOf(UserException.class)
                    .hasMessage("cannot fetch " + url + " (main): " + url + " did not answer within 1 s");
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    @Test
    void branchIsCheckedOutWithExecutableBitsAndSymlinks() throws Exception {
        FetchedSource s = fetch("stable");
        assertThat(s.revision()).isEqualTo(origin.c3.name());
        assertThat(s.dir()).isEqualTo(root.resolve("trees").resolve(origin.c3.name()));
        assertThat(s.dir().resolve("README")).hasContent("three");
        assertThat(Files.isExecutable(s.dir().resolve("support/scripts/run.sh"))).isTrue();
        assertThat(Files.isExecutable(s.dir().resolve("README"))).isFalse();
        assertThat(Files.isSymbolicLink(s.dir().resolve("link"))).isTrue();
        assertThat(Files.readSymbolicLink(s.dir().resolve("link"))).isEqualTo(Path.of("README"));
        assertThat(s.dir().resolve(".git")).doesNotExist();
        assertThat(messages).contains("fetching origin (stable) from " + origin.url());
    }

    @Test
    void plainCloneAsMirrorBranchOnlyAsRemoteTrackingRefIsFound() throws Exception {
        Path clone = tmp.resolve("clone");
        try (var g = org.eclipse.jgit.api.Git.cloneRepository().setURI(origin.url()).setDirectory(clone.toFile()).call()) {
            assertThat(g.getRepository().exactRef("refs/heads/stable")).as("only main is a local branch").isNull();
        }
        FetchedSource s = cache.fetch(new GitOrigin(clone.toUri().toString(), "stable"), false);
        assertThat(s.revision()).isEqualTo(origin.c3.name());
        assertThat(cache.fetch(new GitOrigin(clone.toUri().toString(), "stable"), true).revision())
                .as("recorded as a branch for offline use").isEqualTo(origin.c3.name());
    }

    @Test
    void branchFetchIsShallow() throws Exception {
        fetch("stable");
        try (Repository repo = bare(); RevWalk rw = new RevWalk(repo)) {
            assertThat(repo.getObjectDatabase().has(origin.c3)).isTrue();
            assertThat(repo.getObjectDatabase().has(origin.c2)).isFalse();
            assertThat(repo.getObjectDatabase().has(origin.c1)).isFalse();
            rw.markStart(rw.parseCommit(repo.resolve("refs/heads/stable")));
            int count = 0;
            for (RevCommit ignored : rw) {
                count++;
            }
            assertThat(count).isEqualTo(1);
        }
    }

    @Test
    void tagIsPeeledAndNeverFetchedTwice() throws Exception {
        FetchedSource first = fetch("RELEASE-0.1.0");
        assertThat(first.revision()).isEqualTo(origin.c2.name());
        assertThat(first.dir().resolve("README")).hasContent("two");

        FileTrees.deleteRecursively(origin.dir);
        messages.clear();
        assertThat(fetch("RELEASE-0.1.0")).isEqualTo(first);
        assertThat(cache.fetch(new GitOrigin(origin.url(), "RELEASE-0.1.0"), true)).isEqualTo(first);
        assertThat(messages).isEmpty();
    }

    @Test
    void plainVersionFindsReleaseTag() {
        assertThat(fetch("v0.1.0").revision()).isEqualTo(origin.c2.name());
        assertThat(fetch("0.1.0").revision()).isEqualTo(origin.c2.name());
    }

    @Test
    void fullRefNamesWork() {
        assertThat(fetch("refs/heads/stable").revision()).isEqualTo(origin.c3.name());
        assertThat(fetch("refs/tags/RELEASE-0.1.0").revision()).isEqualTo(origin.c2.name());
    }

    @Test
    void commitIdsFullAndAbbreviatedAfterAShallowFetch() throws Exception {
        fetch("stable");
        FetchedSource old = fetch(origin.c1.name().substring(0, 8));
        assertThat(old.revision()).isEqualTo(origin.c1.name());
        assertThat(old.dir().resolve("README")).hasContent("one");
        assertThat(Files.isExecutable(old.dir().resolve("support/scripts/run.sh"))).isTrue();

        FileTrees.deleteRecursively(origin.dir);
        assertThat(fetch(origin.c2.name()).revision()).isEqualTo(origin.c2.name());
        assertThat(cache.fetch(new GitOrigin(origin.url(), origin.c1.name()), true)).isEqualTo(old);
    }

    @Test
    void commitIdIntoAnEmptyCacheFetchesFullHistory() throws Exception {
        FetchedSource s = fetch(origin.c1.name());
        assertThat(s.revision()).isEqualTo(origin.c1.name());
        assertThat(messages).anyMatch(m -> m.contains("full history"));
        // the repository now has full history, so a branch fetch is incremental and stays complete
        RevCommit c5 = origin.commitOn("stable", "README", "five\n");
        assertThat(fetch("stable").revision()).isEqualTo(c5.name());
        try (Repository repo = bare()) {
            assertThat(repo.getObjectDatabase().has(origin.c2)).isTrue();
        }
    }

    @Test
    void noRefMeansTheRemoteDefaultBranch() throws Exception {
        FetchedSource s = fetch(null);
        assertThat(s.revision()).isEqualTo(origin.c4.name());
        FileTrees.deleteRecursively(origin.dir);
        assertThat(cache.fetch(new GitOrigin(origin.url(), null), true)).isEqualTo(s);
    }

    @Test
    void branchUpdateIsDetectedAndUnchangedBranchIsNotRefetched() throws Exception {
        assertThat(fetch("stable").revision()).isEqualTo(origin.c3.name());
        messages.clear();
        assertThat(fetch("stable").revision()).isEqualTo(origin.c3.name());
        assertThat(messages).noneMatch(m -> m.startsWith("fetching"));

        RevCommit c5 = origin.commitOn("stable", "README", "five\n");
        FetchedSource updated = fetch("stable");
        assertThat(updated.revision()).isEqualTo(c5.name());
        assertThat(updated.dir().resolve("README")).hasContent("five");
        assertThat(messages).anyMatch(m -> m.startsWith("fetching origin (stable)"));
        // the previous checkout stays for projects still pinned to it
        assertThat(root.resolve("trees").resolve(origin.c3.name())).isDirectory();
    }

    @Test
    void noFetchUsesTheLastResolvedCommitOffline() throws Exception {
        fetch("stable");
        origin.commitOn("stable", "README", "five\n");
        assertThat(cache.fetch(new GitOrigin(origin.url(), "stable"), true).revision()).isEqualTo(origin.c3.name());
    }

    @Test
    void noFetchWithNothingCachedSaysRunFetch() {
        for (String ref : new String[] {"stable", null, origin.c1.name()}) {
            assertThatThrownBy(() -> cache.fetch(new GitOrigin(origin.url(), ref), true))
                    .isInstanceOf(UserException.class)
                    .hasMessageContaining("not in the source cache")
                    .extracting(e -> ((UserException) e).hint()).asString().contains("jkraft fetch");
        }
        fetch("stable");
        assertThatThrownBy(() -> cache.fetch(new GitOrigin(origin.url(), "RELEASE-0.1.0"), true))
                .isInstanceOf(UserException.class).hasMessageContaining("not in the source cache");
    }

    @Test
    void unknownRefNamesWhatExists() {
        assertThatThrownBy(() -> fetch("nope"))
                .isInstanceOf(UserException.class)
                .hasMessageContaining("nope").hasMessageContaining(origin.url())
                .extracting(e -> ((UserException) e).hint()).asString().contains("stable");
        assertThatThrownBy(() -> fetch("deadbeefdeadbeef"))
                .isInstanceOf(UserException.class).hasMessageContaining("deadbeefdeadbeef");
    }

    @Test
    void unreachableRepositoryIsAUserError() {
        String url = tmp.resolve("missing").toUri().toString();
        assertThatThrownBy(() -> cache.fetch(new GitOrigin(url, "stable"), false))
                .isInstanceOf(UserException.class)
                .hasMessageContaining(url)
                .satisfies(e -> assertThat(((UserException) e).hint()).isNotBlank());
    }

    @Test
    void sameCommitFromTwoUrlsSharesOneTree() throws Exception {
        FetchedSource a = fetch("stable");
        String plainPath = origin.dir.toString();
        FetchedSource b = cache.fetch(new GitOrigin(plainPath, "stable"), false);
        assertThat(b).isEqualTo(a);
    }
}
