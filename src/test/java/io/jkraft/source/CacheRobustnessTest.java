package io.jkraft.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.jkraft.common.FileTrees;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CacheRobustnessTest {
    /** Far above Linux's pid_max, so never a live process. */
    private static final String DEAD_PID = "999999999";

    @TempDir
    Path tmp;

    OriginRepo origin;
    Path root;

    @BeforeEach
    void setUp() throws Exception {
        origin = OriginRepo.create(tmp.resolve("origin"));
        root = tmp.resolve("cache");
    }

    @AfterEach
    void tearDown() {
        origin.close();
    }

    private FetchedSource fetch(String ref) {
        return new SourceCache(root, m -> {}).fetch(new GitOrigin(origin.url(), ref), false);
    }

    @Test
    void leftoversOfKilledProcessesAreIgnoredAndRemoved() throws Exception {
        Path tmpDir = Files.createDirectories(root.resolve("tmp"));
        Path halfTree = Files.createDirectories(tmpDir.resolve(DEAD_PID + "-half-checkout/support"));
        Files.writeString(halfTree.resolve("partial"), "x");
        Path part = Files.writeString(tmpDir.resolve(DEAD_PID + "-download.part"), "partial");
        Path junk = Files.writeString(tmpDir.resolve("junk"), "?");
        Path mine = Files.createDirectory(tmpDir.resolve(ProcessHandle.current().pid() + "-in-use"));

        FetchedSource s = fetch("stable");

        assertThat(s.revision()).isEqualTo(origin.c3.name());
        assertThat(halfTree.getParent()).doesNotExist();
        assertThat(part).doesNotExist();
        assertThat(junk).doesNotExist();
        assertThat(mine).isDirectory();
    }

    @Test
    void staleGitLockFilesDoNotBlockLaterFetches() throws Exception {
        fetch("stable");
        Path repo = root.resolve("git").resolve(GitFetcher.repoKey(origin.url()));
        Files.writeString(repo.resolve("refs/heads/stable.lock"), "");
        Files.writeString(repo.resolve("shallow.lock"), "");
        Files.writeString(repo.resolve("packed-refs.lock"), "");
        RevCommit c5 = origin.commitOn("stable", "README", "five\n");

        assertThat(fetch("stable").revision()).isEqualTo(c5.name());
        assertThat(repo.resolve("refs/heads/stable.lock")).doesNotExist();
    }

    @Test
    void lostRepositoryIsFetchedAgain() throws Exception {
        FetchedSource first = fetch("stable");
        FileTrees.deleteRecursively(root.resolve("git"));
        assertThat(fetch("stable")).isEqualTo(first);
    }

    @Test
    void concurrentFetchesOfOneOriginAllSucceed() throws Exception {
        int n = 6;
        CountDownLatch start = new CountDownLatch(1);
        List<Callable<FetchedSource>> jobs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            // separate instances, as separate commands of one JVM would have
            SourceCache cache = new SourceCache(root, m -> {});
            String ref = i % 2 == 0 ? "stable" : "RELEASE-0.1.0";
            jobs.add(() -> {
                start.await();
                return cache.fetch(new GitOrigin(origin.url(), ref), false);
            });
        }
        try (ExecutorService pool = Executors.newFixedThreadPool(n)) {
            List<Future<FetchedSource>> results = jobs.stream().map(pool::submit).toList();
            start.countDown();
            for (int i = 0; i < n; i++) {
                FetchedSource s = results.get(i).get(60, TimeUnit.SECONDS);
                assertThat(s.revision()).isEqualTo((i % 2 == 0 ? origin.c3 : origin.c2).name());
                assertThat(s.dir().resolve("README")).exists();
            }
        }
        assertThat(Files.list(root.resolve("tmp")).toList()).isEmpty();
    }

    private Process startFetchProcess(String ref) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        return new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                FetchMain.class.getName(), root.toString(), origin.url(), ref)
                .redirectErrorStream(true).start();
    }

    @Test
    void concurrentProcessesAllSucceed() throws Exception {
        List<Process> processes = List.of(startFetchProcess("stable"), startFetchProcess("stable"));
        FetchedSource here = fetch("stable");
        for (Process p : processes) {
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String out = new String(p.getInputStream().readAllBytes()).strip();
            assertThat(p.exitValue()).as(out).isZero();
            assertThat(out).endsWith(here.revision());
        }
    }

    @Test
    void processesKilledAtAnyMomentLeaveNothingTrusted() throws Exception {
        for (int delay : new int[] {50, 150, 300, 450, 600, 800}) {
            Process p = startFetchProcess(delay % 2 == 0 ? "stable" : origin.c1.name());
            Thread.sleep(delay);
            p.destroyForcibly().waitFor();
            assertEveryTreeIsComplete();
        }
        assertThat(fetch("stable").dir().resolve("README")).hasContent("three");
        assertThat(fetch(origin.c1.name()).dir().resolve("README")).hasContent("one");
        assertEveryTreeIsComplete();
    }

    private void assertEveryTreeIsComplete() throws Exception {
        Path trees = root.resolve("trees");
        if (!Files.isDirectory(trees)) {
            return;
        }
        try (Stream<Path> all = Files.list(trees)) {
            for (Path tree : all.toList()) {
                assertThat(tree.resolve("README")).isRegularFile();
                assertThat(Files.isExecutable(tree.resolve("support/scripts/run.sh"))).isTrue();
                assertThat(Files.isSymbolicLink(tree.resolve("link"))).isTrue();
            }
        }
    }
}
