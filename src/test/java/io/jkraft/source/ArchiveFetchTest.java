package io.jkraft.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.sun.net.httpserver.HttpServer;
import io.jkraft.common.Digest;
import io.jkraft.common.UserException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.commons.compress.compressors.xz.XZUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class ArchiveFetchTest {
    @TempDir
    Path tmp;

    HttpServer server;
    final Map<String, byte[]> files = new ConcurrentHashMap<>();
    final AtomicInteger requests = new AtomicInteger();
    Path root;
    SourceCache cache;

    @BeforeEach
    void setUp() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            String path = exchange.getRequestURI().getPath();
            if (path.startsWith("/moved/")) {
                exchange.getResponseHeaders().add("Location", path.substring("/moved".length()));
                exchange.sendResponseHeaders(302, -1);
            } else if (files.containsKey(path)) {
                byte[] body = files.get(path);
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            } else {
                exchange.sendResponseHeaders(404, -1);
            }
            exchange.close();
        });
        server.start();
        root = tmp.resolve("cache");
        cache = new SourceCache(root, m -> {});
    }

    @AfterEach
    void tearDown() {
        server.stop(0);
    }

    private URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    private static String sha256(byte[] data) {
        return Digest.of(data).hex();
    }

    private List<String> list(String sub) throws Exception {
        Path dir = root.resolve(sub);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).toList();
        }
    }

    private void assertNothingKept() throws Exception {
        assertThat(list("archives")).isEmpty();
        assertThat(list("archive-urls")).isEmpty();
        assertThat(list("tmp")).isEmpty();
    }

    private static void assertSampleTree(Path dir) throws Exception {
        assertThat(dir.resolve("Makefile")).hasContent("all:");
        assertThat(Files.isExecutable(dir.resolve("scripts/run.sh"))).isTrue();
        assertThat(Files.isExecutable(dir.resolve("Makefile"))).isFalse();
        assertThat(Files.readSymbolicLink(dir.resolve("link"))).isEqualTo(Path.of("Makefile"));
        assertThat(dir.resolve("pkg-1.0")).doesNotExist();
    }

    @Test
    void pinnedArchiveIsVerifiedExtractedAndNotDownloadedAgain() throws Exception {
        byte[] tgz = TestArchives.sampleTarGz();
        files.put("/pkg-1.0.tar.gz", tgz);
        ArchiveOrigin o = new ArchiveOrigin(url("/pkg-1.0.tar.gz"), Digest.ofSha256Hex(sha256(tgz)));

        FetchedSource s = cache.fetch(o, false);
        assertThat(s.revision()).isEqualTo(sha256(tgz));
        assertThat(s.dir()).isEqualTo(root.resolve("archives").resolve(sha256(tgz)));
        assertSampleTree(s.dir());
        assertThat(list("tmp")).isEmpty();

        int before = requests.get();
        assertThat(cache.fetch(o, false)).isEqualTo(s);
        assertThat(cache.fetch(o, true)).isEqualTo(s);
        assertThat(requests.get()).isEqualTo(before);
    }

    @Test
    void wrongDigestIsRefusedNamingBoth() throws Exception {
        byte[] tgz = TestArchives.sampleTarGz();
        files.put("/pkg.tgz", tgz);
        String expected = "0".repeat(64);
        assertThatThrownBy(() -> cache.fetch(new ArchiveOrigin(url("/pkg.tgz"), Digest.ofSha256Hex(expected)), false))
                .isInstanceOf(UserException.class)
                .hasMessageContaining(expected).hasMessageContaining(sha256(tgz));
        assertNothingKept();
    }

    @Test
    void unpinnedArchiveIsKeptLikeATagAndWorksOffline() throws Exception {
        byte[] tgz = TestArchives.sampleTarGz();
        files.put("/moved/pkg.tar.gz", new byte[0]);
        files.put("/pkg.tar.gz", tgz);
        ArchiveOrigin o = new ArchiveOrigin(url("/moved/pkg.tar.gz"), null);
        FetchedSource s = cache.fetch(o, false);
        assertThat(s.revision()).isEqualTo(sha256(tgz));
        assertSampleTree(s.dir());

        server.stop(0);
        assertThat(cache.fetch(o, false)).isEqualTo(s);
        assertThat(cache.fetch(o, true)).isEqualTo(s);
    }

    @Test
    void concurrentFetchesOfOneArchiveAllSucceed() throws Exception {
        byte[] tgz = TestArchives.sampleTarGz();
        files.put("/pkg.tar.gz", tgz);
        ArchiveOrigin o = new ArchiveOrigin(url("/pkg.tar.gz"), null);
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<FetchedSource>> results = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                SourceCache own = new SourceCache(root, m -> {});
                results.add(pool.submit(() -> own.fetch(o, false)));
            }
            for (Future<FetchedSource> r : results) {
                assertThat(r.get(60, TimeUnit.SECONDS).revision()).isEqualTo(sha256(tgz));
            }
        }
        assertThat(requests.get()).isEqualTo(1);
        assertThat(list("tmp")).isEmpty();
    }

    @Test
    void zipOverFileUrl() throws Exception {
        byte[] zip = TestArchives.sampleZip();
        Path file = Files.write(tmp.resolve("pkg.zip"), zip);
        FetchedSource s = cache.fetch(new ArchiveOrigin(file.toUri(), null), false);
        assertThat(s.revision()).isEqualTo(sha256(zip));
        assertSampleTree(s.dir());
    }

    @Test
    void noFetchWithNothingCachedSaysRunFetch() {
        assertThatThrownBy(() -> cache.fetch(new ArchiveOrigin(url("/pkg.tar.gz"), null), true))
                .isInstanceOf(UserException.class)
                .extracting(e -> ((UserException) e).hint()).asString().contains("jkraft fetch");
        assertThat(requests.get()).isZero();
    }

    @Test
    void httpErrorsAndUnreachableServersAreUserErrors() throws Exception {
        assertThatThrownBy(() -> cache.fetch(new ArchiveOrigin(url("/missing.tar.gz"), null), false))
                .isInstanceOf(UserException.class).hasMessageContaining("404");
        server.stop(0);
        assertThatThrownBy(() -> cache.fetch(new ArchiveOrigin(url("/pkg.tar.gz"), null), false))
                .isInstanceOf(UserException.class).hasMessageContaining("cannot download");
        assertNothingKept();
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a hang without the fix
    void aServerThatStopsSendingTheArchiveEndsTheFetchNamingIt() throws Exception {
        // The JDK's request timeout ends with the headers: the body's reads need a bound of their own.
        List<Socket> held = new CopyOnWriteArrayList<>();
        try (ServerSocket stalling = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    while (true) {
                        Socket s = stalling.accept();
                        held.add(s);
                        s.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + "x".repeat(1000))
                                .getBytes(StandardCharsets.ISO_8859_1));
                        s.getOutputStream().flush();
                    }
                } catch (IOException e) {
                    // the test is over
                }
            });
            String host = "127.0.0.1:" + stalling.getLocalPort();
            SourceCache patient = new SourceCache(root, m -> {}, Duration.ofSeconds(1));
            assertThatThrownBy(() -> patient.fetch(new ArchiveOrigin(URI.create("http://" + host + "/pkg.tar.gz"), null),
                    false)).isInstanceOf(UserException.class)
                    .hasMessageContaining(host + " stopped sending (nothing for 1 s)");
            assertNothingKept();
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    @Test
    void xzIsRefusedClearlyWithoutTheXzLibrary() {
        assumeFalse(XZUtils.isXZCompressionAvailable());
        assertThatThrownBy(() -> cache.fetch(new ArchiveOrigin(url("/pkg.tar.xz"), null), false))
                .isInstanceOf(UserException.class).hasMessageContaining("XZ");
        assertThat(requests.get()).isZero();
    }

    private void assertRefused(byte[] archive, String why) throws Exception {
        files.put("/evil.tar.gz", archive);
        assertThatThrownBy(() -> cache.fetch(new ArchiveOrigin(url("/evil.tar.gz"), null), false))
                .isInstanceOf(UserException.class)
                .hasMessageContaining("refusing").hasMessageContaining(why);
        assertNothingKept();
        try (Stream<Path> all = Files.walk(tmp)) {
            assertThat(all.map(p -> p.getFileName().toString())).doesNotContain("evil");
        }
    }

    @Test
    void dotDotEntryIsRefused() throws Exception {
        assertRefused(TestArchives.tarGz().file("pkg/ok", "x", 0644).file("pkg/../../evil", "x", 0644).bytes(), "..");
        assertRefused(TestArchives.tarGz().file("../evil", "x", 0644).bytes(), "..");
    }

    @Test
    void absolutePathIsRefused() throws Exception {
        Path target = tmp.resolve("abs/evil");
        assertRefused(TestArchives.tarGz().file(target.toString(), "x", 0644).bytes(), "absolute");
        assertThat(target).doesNotExist();
    }

    @Test
    void symlinksLeadingOutsideAreRefused() throws Exception {
        assertRefused(TestArchives.tarGz().file("pkg/a", "x", 0644).symlink("pkg/etc", "/etc").bytes(), "/etc");
        assertRefused(TestArchives.tarGz().symlink("pkg/sub/up", "../../evil").bytes(), "outside");
        // lexically "b/../evil" stays inside, but b is "." so the kernel would resolve it to ../evil
        assertRefused(TestArchives.tarGz().symlink("pkg/b", ".").symlink("pkg/a", "b/../evil").bytes(), "outside");
    }

    @Test
    void entriesUnderASymlinkAreRefused() throws Exception {
        assertRefused(TestArchives.tarGz().file("pkg/l/evil", "x", 0644).symlink("pkg/l", "sub").bytes(),
                "both a folder and a file");
        assertRefused(TestArchives.tarGz().symlink("pkg/l", "sub").symlink("pkg/l/evil", "x").bytes(), "symlink l");
    }

    @Test
    void symlinksStayingInsideAreFine() throws Exception {
        byte[] tgz = TestArchives.tarGz().file("pkg/sub/f", "x", 0644).symlink("pkg/sub/up", "../sub/f")
                .symlink("pkg/here", ".").symlink("pkg/via", "here/sub/f").bytes();
        files.put("/ok.tar.gz", tgz);
        FetchedSource s = cache.fetch(new ArchiveOrigin(url("/ok.tar.gz"), null), false);
        assertThat(s.dir().resolve("via")).hasContent("x");
        assertThat(s.dir().resolve("sub/up")).hasContent("x");
    }
}
