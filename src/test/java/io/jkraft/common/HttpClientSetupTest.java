package io.jkraft.common;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The clients' differences, seen by an HTTP server on 127.0.0.1. */
class HttpClientSetupTest {
    private HttpServer server;
    private final Map<String, List<String>> upgrades = new ConcurrentHashMap<>();

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/moved", x -> {
            x.getResponseHeaders().set("Location", "/here");
            x.sendResponseHeaders(302, -1);
            x.close();
        });
        server.createContext("/here", x -> {
            upgrades.put(x.getRequestURI().getPath() + " " + upgrades.size(),
                    x.getRequestHeaders().getOrDefault("Upgrade", List.of()));
            byte[] body = "here".getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(200, body.length);
            try (OutputStream out = x.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    private HttpResponse<String> get(HttpClient client, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aDownloadFollowsRedirectsAndARegistryClientDoesNot() throws Exception {
        try (HttpClient download = HttpClientSetup.followingRedirects(Duration.ofSeconds(7)).build();
             HttpClient registry = new HttpClientSetup(HttpClient.Redirect.NEVER, Duration.ofSeconds(7), false).build()) {
            HttpResponse<String> followed = get(download, "/moved");
            assertThat(followed.statusCode()).isEqualTo(200);
            assertThat(followed.body()).isEqualTo("here");
            assertThat(get(registry, "/moved").statusCode()).isEqualTo(302);
            assertThat(download.connectTimeout()).contains(Duration.ofSeconds(7));
            assertThat(registry.connectTimeout()).contains(Duration.ofSeconds(7));
        }
    }

    @Test
    void onlyThePlainHttpClientLeavesOutTheHttp2Upgrade() throws Exception {
        try (HttpClient plain = new HttpClientSetup(HttpClient.Redirect.NEVER, Duration.ofSeconds(7), true).build();
             HttpClient any = new HttpClientSetup(HttpClient.Redirect.NEVER, Duration.ofSeconds(7), false).build()) {
            HttpResponse<String> fromPlain = get(plain, "/here");
            assertThat(fromPlain.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
            assertThat(plain.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
            List<String> plainUpgrade = upgrades.values().iterator().next();
            upgrades.clear();
            get(any, "/here");
            List<String> anyUpgrade = upgrades.values().iterator().next();

            assertThat(plainUpgrade).isEmpty();
            assertThat(anyUpgrade).as("the JDK's default offers h2c, which registries refuse").containsExactly("h2c");
        }
    }
}
