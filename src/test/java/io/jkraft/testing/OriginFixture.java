package io.jkraft.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/**
 * A library for the fixture core whose sources are an upstream archive ({@code liborigin}, fetched by the core's
 * {@code fetch} rule into {@code O/liborigin/origin-1.0.tar.gz}), and a local HTTP server that serves archives at
 * paths of the test's choice, counts the requests for each, and can end a body half-way.
 */
public final class OriginFixture implements AutoCloseable {
    public static final String LIBRARY = "liborigin";
    public static final String ARCHIVE = "origin-1.0.tar.gz";
    public static final String SAYS = "liborigin from its origin archive";

    private final HttpServer server;
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
    private final List<String> truncated = new CopyOnWriteArrayList<>();
    private final List<String> stalled = new CopyOnWriteArrayList<>();
    private final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);

    public OriginFixture() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    /** The URL of a path on this server. */
    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    public void serve(String path, byte[] content) {
        files.put(path, content);
    }

    public void remove(String path) {
        files.remove(path);
    }

    /** Serves the path with its full Content-Length but closes the connection after half of the body. */
    public void truncate(String path) {
        truncated.add(path);
    }

    /** Serves half of the path's body, then sends nothing more until the fixture is closed. */
    public void stall(String path) {
        stalled.add(path);
    }

    public int requests(String path) {
        AtomicInteger n = requests.get(path);
        return n == null ? 0 : n.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        requests.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
        byte[] body = files.get(path);
        if (body == null) {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
            return;
        }
        exchange.sendResponseHeaders(200, body.length);
        OutputStream out = exchange.getResponseBody();
        if (stalled.contains(path)) {
            out.write(body, 0, body.length / 2);
            out.flush();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
            return;
        }
        if (truncated.contains(path)) {
            out.write(body, 0, body.length / 2);
            out.flush();
            // closing short of the announced length drops the connection: the client sees it end mid-body
            exchange.close();
            return;
        }
        out.write(body);
        exchange.close();
    }

    /** The archive: {@code origin-1.0/origin.c}, whose function puts {@code text} into the kernel. */
    public static byte[] archive(String text) throws IOException {
        String source = "const char *liborigin_says(void) { return \"" + text + "\"; }\n";
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(bytes))) {
            byte[] content = source.getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry entry = new TarArchiveEntry("origin-1.0/origin.c");
            entry.setSize(content.length);
            tar.putArchiveEntry(entry);
            tar.write(content);
            tar.closeArchiveEntry();
        }
        return bytes.toByteArray();
    }

    public static String sha256(byte[] content) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    }

    /**
     * Writes the library into {@code dir}: its Makefile.uk fetches {@code url} with the core's fetch rule and
     * declares {@code sha256} as LIBORIGIN_ORIGIN_SHA256 when it is not null.
     */
    public static Path library(Path dir, String url, String sha256) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("Config.uk"), "config LIBORIGIN\n\tbool \"liborigin: sources from an origin archive\"\n"
                + "\tdefault y\n");
        Files.writeString(dir.resolve("Makefile.uk"), "$(eval $(call addlib," + LIBRARY + "))\n"
                + (sha256 != null ? "LIBORIGIN_ORIGIN_SHA256 = " + sha256 + "\n" : "")
                + "$(eval $(call fetch," + LIBRARY + "," + url + "))\n"
                + "LIBORIGIN_SRCS-y += $(LIBORIGIN_ORIGIN)/origin-1.0/origin.c\n");
        return dir;
    }

    /** A fixture app (the core from the fixture repositories' stable branch) using the library in {@code lib}. */
    public static Path app(Path dir, Path lib) throws IOException {
        return FixtureApp.create(dir, """
                spec: v0.6
                name: hello
                unikraft: stable
                libraries:
                  liborigin:
                    source: %s
                targets: [qemu/x86_64]
                """.formatted(lib.toAbsolutePath()));
    }

    @Override
    public void close() {
        release.countDown();
        server.stop(0);
    }
}
