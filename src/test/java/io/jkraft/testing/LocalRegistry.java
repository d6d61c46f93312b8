package io.jkraft.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A real registry for tests: Debian's {@code docker-registry} (distribution 2.8) started on a free port with
 * a config and storage folder of the test's own, stopped by {@link #close()}. Its configuration's
 * {@code auth} section is the caller's (none, htpasswd or token), given as YAML lines.
 */
public final class LocalRegistry implements AutoCloseable {
    public static final String BINARY = "/usr/bin/docker-registry";

    private final Process process;
    private final Path storage;
    private final Path log;
    private final String address;

    private LocalRegistry(Process process, Path storage, Path log, String address) {
        this.process = process;
        this.storage = storage;
        this.log = log;
        this.address = address;
    }

    /** Why no registry can be started here, or null; fails instead under JKRAFT_TEST_REQUIRE_TOOLS. */
    public static String unavailableReason() {
        String reason = Files.isExecutable(Path.of(BINARY)) ? null
                : BINARY + " is not installed (Debian: docker-registry; scripts/install-deps installs it)";
        if (reason != null && System.getenv("JKRAFT_TEST_REQUIRE_TOOLS") != null) {
            throw new IllegalStateException("JKRAFT_TEST_REQUIRE_TOOLS is set but " + reason);
        }
        return reason;
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** A registry without authentication on 127.0.0.1. */
    public static LocalRegistry start(Path dir) throws Exception {
        return start(dir, "127.0.0.1", "");
    }

    /**
     * @param listen the address to listen on ({@code 127.0.0.1}, or {@code 0.0.0.0} for every interface)
     * @param auth   YAML for the config's {@code auth:} section, indented by two spaces, or empty
     */
    public static LocalRegistry start(Path dir, String listen, String auth) throws Exception {
        Path storage = Files.createDirectories(dir.resolve("registry-storage"));
        int port = freePort();
        Path config = dir.resolve("registry-config.yml");
        Files.writeString(config, """
                version: 0.1
                log:
                  level: warn
                storage:
                  filesystem:
                    rootdirectory: %s
                  delete:
                    enabled: true
                  maintenance:
                    uploadpurging:
                      enabled: false
                http:
                  addr: %s:%d
                %s""".formatted(storage, listen, port, auth.isEmpty() ? "" : "auth:\n" + auth));
        Path log = dir.resolve("registry.log");
        Process p = new ProcessBuilder(BINARY, "serve", config.toString()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        LocalRegistry r = new LocalRegistry(p, storage, log, "127.0.0.1:" + port);
        r.awaitReady();
        return r;
    }

    private void awaitReady() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("docker-registry exited: " + Files.readString(log));
            }
            try {
                http.send(HttpRequest.newBuilder(URI.create("http://" + address + "/v2/")).build(),
                        HttpResponse.BodyHandlers.discarding());
                return; // 200 or 401: it answers
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        close();
        throw new IllegalStateException("docker-registry did not answer on " + address + ": " + Files.readString(log));
    }

    /** {@code 127.0.0.1:PORT}. */
    public String address() {
        return address;
    }

    public int port() {
        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    }

    /** The file holding a blob's content in the registry's storage. */
    public Path blobData(String digest) {
        String hex = digest.substring("sha256:".length());
        return storage.resolve("docker/registry/v2/blobs/sha256/" + hex.substring(0, 2) + "/" + hex + "/data");
    }

    /** Every blob the registry stores. */
    public List<Path> blobFiles() throws IOException {
        Path blobs = storage.resolve("docker/registry/v2/blobs");
        if (!Files.isDirectory(blobs)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(blobs)) {
            return new ArrayList<>(s.filter(p -> p.getFileName().toString().equals("data")).toList());
        }
    }

    public String log() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor();
        }
    }
}
