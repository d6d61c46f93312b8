package io.jkraft.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** What the plain-HTTP client puts on the wire, read by a socket on 127.0.0.1. */
class HttpTransportTest {

    @Test
    void plainHttpRequestsAreHttp11WithoutAnH2cUpgradeAndReuseOneConnection() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             HttpTransport transport = new HttpTransport(HttpTransport.Timeouts.all(Duration.ofSeconds(5)))) {
            CompletableFuture<List<String>> seen = CompletableFuture.supplyAsync(() -> serveTwo(server));
            URI uri = URI.create("http://127.0.0.1:" + server.getLocalPort() + "/v2/");
            for (int i = 0; i < 2; i++) {
                HttpResponse<InputStream> r = transport.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build());
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body().readAllBytes()).hasSize(2);
            }
            List<String> lines = seen.get();
            assertThat(lines).filteredOn(l -> l.startsWith("GET ")).containsExactly("GET /v2/ HTTP/1.1", "GET /v2/ HTTP/1.1");
            assertThat(lines).noneMatch(l -> l.toLowerCase().startsWith("upgrade") || l.toLowerCase().startsWith("http2-settings"));
        }
    }

    /** Answers two requests on the first connection (the server's backlog is one: a second connection waits). */
    private static List<String> serveTwo(ServerSocket server) {
        List<String> lines = new ArrayList<>();
        try (Socket s = server.accept()) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
            OutputStream out = s.getOutputStream();
            for (int i = 0; i < 2; i++) {
                for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                    lines.add(line);
                }
                out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: application/json\r\n\r\n{}"
                        .getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            }
        } catch (Exception e) {
            lines.add("server failed: " + e);
        }
        return lines;
    }
}
