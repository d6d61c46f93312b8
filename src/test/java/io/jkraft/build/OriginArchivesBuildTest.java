package io.jkraft.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jkraft.common.Invocation;
import io.jkraft.common.UserException;
import io.jkraft.config.JkraftConfig;
import io.jkraft.config.JkraftPaths;
import io.jkraft.origin.FetchedOrigin;
import io.jkraft.origin.OriginOptions;
import io.jkraft.testing.FixtureRepos;
import io.jkraft.testing.OriginFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fixture core's fetch rule (wget -O O/lib/file URL || rm) run by real make, with jkraft's wget: archives served
 * by a local HTTP server and by folders, the shared cache, checksums, the lock file.
 */
class OriginArchivesBuildTest {
    private static final String DL = "/dl/" + OriginFixture.ARCHIVE;

    @TempDir
    Path tmp;

    FixtureRepos repos;
    OriginFixture server;
    JkraftPaths paths;
    RecordingListener listener;
    byte[] archive;

    @BeforeEach
    void setUp() throws Exception {
        repos = FixtureRepos.create(tmp.resolve("mirror"));
        server = new OriginFixture();
        // the cache in a long folder with spaces (make's own paths, as the core's, cannot have spaces)
        Path home = Files.createDirectories(tmp.resolve("home of a user " + "x".repeat(200)));
        paths = new JkraftPaths(tmp.resolve("config"), tmp.resolve("data"), tmp.resolve("state"), home.resolve("cache"));
        listener = new RecordingListener();
        archive = OriginFixture.archive(OriginFixture.SAYS);
        server.serve(DL, archive);
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    private BuildService service(List<String> places) {
        return new BuildService(new JkraftConfig(repos.base().toUri().toString()).withOriginArchives(places), paths,
                Invocation.ofThisProcess(), listener);
    }

    private Path project(String name, String sha256) throws Exception {
        Path lib = OriginFixture.library(tmp.resolve("lib-" + name), server.url(DL), sha256);
        return OriginFixture.app(tmp.resolve(name), lib);
    }

    private static BuildRequest request(Path app) {
        return new BuildRequest(app, null, null, null, List.of(), false, 2, false, false, false, Map.of(), null);
    }

    private static Path placed(Path app) {
        return app.resolve(".unikraft/build/hello_qemu-x86_64.d/liborigin/" + OriginFixture.ARCHIVE);
    }

    private Path cacheRoot() {
        return paths.cacheDir().resolve("origins");
    }

    /** Regular files in the origin cache, its lock files aside. */
    private List<Path> cachedFiles() throws Exception {
        if (!Files.isDirectory(cacheRoot())) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(cacheRoot())) {
            return files.filter(Files::isRegularFile).filter(p -> !p.getParent().getFileName().toString().equals(".locks"))
                    .toList();
        }
    }

    @Test
    void aBuildDownloadsTheArchiveOnceAndASecondProjectTakesItFromTheCache() throws Exception {
        Path first = project("first", null);
        BuildResult built = service(List.of()).build(request(first)).getFirst();

        assertThat(server.requests(DL)).isEqualTo(1);
        assertThat(listener.warnings).as("the library's own option is kept").isEmpty();
        assertThat(placed(first)).hasBinaryContent(archive);
        assertThat(first.resolve(".unikraft/build/hello_qemu-x86_64.d/liborigin/origin.o")).as("the origin's source was compiled").isRegularFile();
        assertThat(Files.readAllBytes(built.debug())).asString(java.nio.charset.StandardCharsets.ISO_8859_1)
                .contains(OriginFixture.SAYS);
        assertThat(first.resolve("Kraftfile.lock")).content().contains("liborigin/" + OriginFixture.ARCHIVE + " sha256:"
                + OriginFixture.sha256(archive) + " " + server.url(DL));
        assertThat(service(List.of()).build(request(first)).getFirst().upToDate())
                .as("the lock file written during the build is not an input").isTrue();

        Path second = project("second", null);
        List<FetchedOrigin> fetched = service(List.of()).fetch(request(second));

        assertThat(server.requests(DL)).as("the second project downloads nothing").isEqualTo(1);
        assertThat(fetched).singleElement().satisfies(f -> {
            assertThat(f.from()).isEqualTo("the cache");
            assertThat(f.downloaded()).isFalse();
        });
        assertThat(placed(second)).hasBinaryContent(archive);
    }

    @Test
    void placesComeBeforeTheLibrarysUrlInOrderAndAFolderServesByName() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("empty folder"));
        server.serve("/mirror/" + OriginFixture.ARCHIVE, archive);
        Path app = project("app", null);

        FetchedOrigin f = service(List.of(empty.toString(), server.url("/mirror"))).fetch(request(app)).getFirst();

        assertThat(f.from()).isEqualTo(server.url("/mirror/" + OriginFixture.ARCHIVE));
        assertThat(server.requests("/mirror/" + OriginFixture.ARCHIVE)).isEqualTo(1);
        assertThat(server.requests(DL)).as("the library's own URL comes last").isZero();

        Path folder = Files.createDirectories(tmp.resolve("archives"));
        Files.write(folder.resolve(OriginFixture.ARCHIVE), archive);
        Path other = project("other", null);
        FetchedOrigin fromFolder = service(List.of(folder.toString()))
                .fetch(request(other), new OriginOptions(false, true)).getFirst();
        assertThat(fromFolder.from()).isEqualTo("folder " + folder);
        assertThat(server.requests(DL)).isZero();
    }

    @Test
    void theSumALibraryDeclaresReachesJkraftWhichRefusesAWrongFileAndTakesTheNextPlace() throws Exception {
        Path folder = Files.createDirectories(tmp.resolve("archives"));
        byte[] other = OriginFixture.archive("another file of the same name");
        Files.write(folder.resolve(OriginFixture.ARCHIVE), other);
        Path app = project("app", OriginFixture.sha256(archive));

        FetchedOrigin f = service(List.of(folder.toString())).fetch(request(app)).getFirst();

        assertThat(f.from()).isEqualTo(server.url(DL));
        assertThat(placed(app)).hasBinaryContent(archive);
        assertThat(listener.infos).anyMatch(i -> i.contains("downloaded from " + server.url(DL)));
    }

    @Test
    void aChecksumMismatchRefusesTheArchiveNamingFileSourceAndBothSums() throws Exception {
        String wrong = "0".repeat(64);
        Path app = project("app", wrong);

        assertThatThrownBy(() -> service(List.of()).fetch(request(app)))
                .isInstanceOf(UserException.class)
                .hasMessageContaining(OriginFixture.ARCHIVE)
                .hasMessageContaining(server.url(DL) + ": refused, sha256 differs from what the library declares"
                        + " (LIBORIGIN_ORIGIN_SHA256): expected " + wrong + ", got " + OriginFixture.sha256(archive));
        assertThat(placed(app)).doesNotExist();
        assertThat(cachedFiles()).as("nothing refused is kept").isEmpty();
    }

    @Test
    void aDownloadCutShortLeavesNothingAndTheBuildFailsWithItsMessageNotTars() throws Exception {
        server.truncate(DL);
        Path app = project("app", null);

        assertThatThrownBy(() -> service(List.of()).build(request(app)))
                .isInstanceOf(UserException.class)
                .hasMessageStartingWith("cannot fetch the origin archive " + OriginFixture.ARCHIVE + " of liborigin ("
                        + server.url(DL) + ")")
                .hasMessageContaining(server.url(DL) + ": ")
                .hasMessageNotContaining("Cannot open");
        assertThat(placed(app)).doesNotExist();
        assertThat(cachedFiles()).isEmpty();
        try (Stream<Path> left = Files.list(placed(app).getParent())) {
            assertThat(left.map(p -> p.getFileName().toString())).as("no partial file").noneMatch(n -> n.contains("origin-1.0"));
        }
    }

    @Test
    void anInterruptedDownloadLeavesNothingInTheCacheOrTheBuildFolder() throws Exception {
        server.stall(DL);
        Path app = project("app", null);
        java.util.concurrent.atomic.AtomicReference<Throwable> thrown = new java.util.concurrent.atomic.AtomicReference<>();
        Thread fetch = Thread.ofPlatform().start(() -> {
            try {
                service(List.of()).fetch(request(app));
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        while (server.requests(DL) == 0 || !partFileExists()) {
            assertThat(fetch.isAlive()).as("the fetch waits in the download: %s", thrown.get()).isTrue();
            Thread.sleep(20);
        }

        fetch.interrupt(); // what Ctrl-C does to a command
        fetch.join();

        assertThat(thrown.get()).isInstanceOf(UserException.class).hasMessageContaining("interrupted");
        assertThat(cachedFiles()).as("no partial download kept").isEmpty();
        assertThat(placed(app)).doesNotExist();
    }

    private boolean partFileExists() throws Exception {
        return cachedFiles().stream().anyMatch(p -> p.getFileName().toString().endsWith(".part"));
    }

    @Test
    void aLibraryNamingAnotherUrlForTheSameFileFindsItInTheCacheByNameWhenItsSumSaysSo() throws Exception {
        service(List.of()).fetch(request(project("first", null)));
        String otherUrl = server.url("/elsewhere/" + OriginFixture.ARCHIVE);
        Path lib = OriginFixture.library(tmp.resolve("lib-second"), otherUrl, OriginFixture.sha256(archive));
        Path second = OriginFixture.app(tmp.resolve("second"), lib);

        FetchedOrigin f = service(List.of()).fetch(request(second)).getFirst();

        assertThat(f.from()).isEqualTo("the cache (same name, another URL)");
        assertThat(server.requests("/elsewhere/" + OriginFixture.ARCHIVE)).isZero();
        assertThat(placed(second)).hasBinaryContent(archive);
    }

    @Test
    void aFailedLookupNamesTheUrlAndEveryPlaceLookedIn() throws Exception {
        Path folder = Files.createDirectories(tmp.resolve("archives"));
        server.remove(DL);
        String prefix = server.url("/mirror");
        Path app = project("app", null);

        assertThatThrownBy(() -> service(List.of(folder.toString(), prefix)).fetch(request(app)))
                .isInstanceOf(UserException.class)
                .hasMessageContaining("(" + server.url(DL) + "); looked in:")
                .hasMessageContaining("the cache " + cacheRoot() + ": not there")
                .hasMessageContaining("folder " + folder + ": no " + OriginFixture.ARCHIVE)
                .hasMessageContaining(prefix + "/" + OriginFixture.ARCHIVE + ": HTTP 404")
                .hasMessageContaining(server.url(DL) + ": HTTP 404")
                .satisfies(e -> assertThat(((UserException) e).hint()).contains("JKRAFT_ORIGIN_ARCHIVES"));
    }

    @Test
    void theLockFileRefusesAChangedArchiveUntilUpdateLockAcceptsIt() throws Exception {
        Path app = project("app", null);
        service(List.of()).fetch(request(app));
        String before = Files.readString(app.resolve("Kraftfile.lock"));

        // upstream changed the file; this user's cache is gone, and the build folder too
        byte[] changed = OriginFixture.archive("changed upstream");
        server.serve(DL, changed);
        io.jkraft.common.FileTrees.deleteRecursively(paths.cacheDir());
        io.jkraft.common.FileTrees.deleteRecursively(app.resolve(".unikraft/build"));

        assertThatThrownBy(() -> service(List.of()).fetch(request(app)))
                .isInstanceOf(UserException.class)
                .hasMessageContaining("recorded " + OriginFixture.sha256(archive) + ", got " + OriginFixture.sha256(changed))
                .hasMessageContaining("liborigin/" + OriginFixture.ARCHIVE)
                .satisfies(e -> assertThat(((UserException) e).hint()).contains("jkraft fetch --update-lock")
                        .contains(app.resolve("Kraftfile.lock").toString()));
        assertThat(app.resolve("Kraftfile.lock")).content().isEqualTo(before);
        assertThat(placed(app)).doesNotExist();

        service(List.of()).fetch(request(app), new OriginOptions(true, false));
        assertThat(app.resolve("Kraftfile.lock")).content().contains("sha256:" + OriginFixture.sha256(changed))
                .doesNotContain(OriginFixture.sha256(archive));
        assertThat(placed(app)).hasBinaryContent(changed);
    }
}
