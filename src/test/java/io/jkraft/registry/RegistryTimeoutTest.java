package io.jkraft.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.jkraft.common.UserException;
import io.jkraft.pkg.oci.OciLayout;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Registries that keep jkraft waiting: each pull ends with a message naming the registry and what it did not
 * send, instead of waiting for ever (the JDK bounds neither a response's body nor, without a timeout, its
 * headers). The services get short timeouts; the test's own timeout only turns a hang into a failure.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RegistryTimeoutTest {
    @TempDir
    Path dir;

    private RegistryService service(HttpTransport.Timeouts timeouts) {
        return new RegistryService(dir.resolve("store"), new CredentialStore(dir.resolve("auth.json"),
                dir.resolve("docker.json")), List.of(), TransferListener.SILENT, RegistryService.DEFAULT_CHUNK,
                Duration.ofMillis(10), timeouts);
    }

    @Test
    void aRegistryThatAcceptsConnectionsAndNeverAnswersEndsThePullNamingIt() throws Exception {
        List<Socket> held = new CopyOnWriteArrayList<>();
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    while (true) {
                        held.add(silent.accept()); // read nothing, answer nothing, close nothing
                    }
                } catch (IOException e) {
                    // the test is over
                }
            });
            String registry = "127.0.0.1:" + silent.getLocalPort();
            try (RegistryService service = service(HttpTransport.Timeouts.all(Duration.ofMillis(300)))) {
                assertThatThrownBy(() -> service.pull(registry + "/silent/app:1", null, null))
                        .isInstanceOf(UserException.class)
                        .hasMessage("registry " + registry + " (GET /v2/) did not answer within 300 ms")
                        .extracting(e -> ((UserException) e).hint()).asString().contains("not answering");
            }
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    @Test
    void aRegistryThatStopsSendingABlobEndsThePullNamingItAndTheBlob() throws Exception {
        byte[] config = "{\"architecture\":\"x86_64\",\"os\":\"qemu\"}".getBytes(StandardCharsets.UTF_8);
        byte[] layer = new byte[64 * 1024];
        String configDigest = digest(config);
        String layerDigest = digest(layer);
        ObjectMapper json = new ObjectMapper();
        ObjectNode manifest = json.createObjectNode().put("schemaVersion", 2).put("mediaType", OciLayout.MANIFEST_MEDIA_TYPE);
        manifest.putObject("config").put("mediaType", "application/vnd.unikraft.config.v1+json")
                .put("digest", configDigest).put("size", config.length);
        manifest.putArray("layers").addObject().put("mediaType", "application/vnd.oci.image.layer.v1.tar")
                .put("digest", layerDigest).put("size", layer.length);
        byte[] manifestBytes = json.writeValueAsBytes(manifest);

        CountDownLatch end = new CountDownLatch(1);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        // A thread per exchange: the stalled one must not hold up the others.
        ExecutorService threads = Executors.newCachedThreadPool();
        server.setExecutor(threads);
        server.createContext("/v2/", x -> {
            String path = x.getRequestURI().getPath();
            if (path.equals("/v2/")) {
                answer(x, "application/json", "{}".getBytes(StandardCharsets.UTF_8));
            } else if (path.endsWith("/manifests/1")) {
                answer(x, OciLayout.MANIFEST_MEDIA_TYPE, manifestBytes);
            } else if (path.endsWith("/blobs/" + configDigest)) {
                answer(x, "application/octet-stream", config);
            } else if (path.endsWith("/blobs/" + layerDigest)) {
                // The headers and a first part; then nothing, with the connection open.
                x.sendResponseHeaders(200, layer.length);
                OutputStream out = x.getResponseBody();
                out.write(layer, 0, 1024);
                out.flush();
                try {
                    end.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                x.close();
            } else {
                x.sendResponseHeaders(404, -1);
                x.close();
            }
        });
        server.start();
        String registry = "127.0.0.1:" + server.getAddress().getPort();
        // Only the body's reads are short: a loaded machine's slow answers must not end the pull first.
        HttpTransport.Timeouts timeouts = new HttpTransport.Timeouts(Duration.ofSeconds(30), Duration.ofSeconds(30),
                Duration.ofSeconds(30), Duration.ofSeconds(1));
        try (RegistryService service = service(timeouts)) {
            assertThatThrownBy(() -> service.pull(registry + "/stall/app:1", null, null))
                    .isInstanceOf(UserException.class)
                    .hasMessage("registry " + registry + " (GET /v2/stall/app/blobs/" + layerDigest
                            + ") stopped sending (nothing for 1 s)");
            assertThat(OciLayout.open(dir.resolve("store")).list()).as("nothing is tagged").isEmpty();
        } finally {
            end.countDown();
            server.stop(0);
            threads.shutdownNow();
        }
    }

    private static void answer(HttpExchange x, String type, byte[] body) throws IOException {
        x.getResponseHeaders().set("Content-Type", type);
        x.sendResponseHeaders(200, body.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(body);
        }
    }

    private static String digest(byte[] bytes) throws Exception {
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
