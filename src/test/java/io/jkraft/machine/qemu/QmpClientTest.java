package io.jkraft.machine.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against a scripted QMP server, so that interleaving and timeouts are exact. */
class QmpClientTest {

    private static final String GREETING = "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 22, \"minor\": 2,"
            + " \"major\": 7}}, \"capabilities\": [\"oob\"]}}";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /**
     * Serves one client after {@code delayMillis}: sends the greeting, then for each request writes what
     * {@code answer} returns (already newline-terminated lines; null closes the connection).
     */
    private CompletableFuture<Void> serve(Path socket, long delayMillis, Function<JsonNode, String> answer) {
        return CompletableFuture.runAsync(() -> {
            try {
                Thread.sleep(delayMillis);
                try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                    server.bind(UnixDomainSocketAddress.of(socket));
                    try (SocketChannel client = server.accept()) {
                        OutputStream out = Channels.newOutputStream(client);
                        BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(client),
                                StandardCharsets.UTF_8));
                        out.write((GREETING + "\r\n").getBytes(StandardCharsets.UTF_8));
                        String line;
                        while ((line = in.readLine()) != null) {
                            String reply = answer.apply(JSON.readTree(line));
                            if (reply == null) {
                                return;
                            }
                            out.write(reply.getBytes(StandardCharsets.UTF_8));
                        }
                    }
                }
            } catch (IOException | InterruptedException e) {
                throw new RuntimeException(e);
            }
        });
    }

    private static String ok(JsonNode request, String value) {
        return "{\"return\": " + value + ", \"id\": " + request.get("id") + "}\r\n";
    }

    private static String event(String name) {
        return "{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, \"event\": \"" + name + "\"}\r\n";
    }

    @Test
    void waitsForTheSocketNegotiatesAndSetsEventsAside() throws Exception {
        Path socket = tmp.resolve("qmp.sock");
        serve(socket, 200, request -> switch (request.get("execute").asText()) {
            case "qmp_capabilities" -> ok(request, "{}");
            case "stop" -> event("STOP") + ok(request, "{}");
            case "query-status" -> event("RTC_CHANGE") + ok(request, "{\"status\": \"paused\", \"running\": false}");
            case "human-monitor-command" -> ok(request, JSON.valueToTree(
                    "TCP[HOST_FORWARD] 127.0.0.1 8080 10.0.2.15 80 (" + request.at("/arguments/command-line").asText()
                            + ")\r\n").toString());
            case "quit" -> event("SHUTDOWN") + ok(request, "{}");
            default -> "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"The command "
                    + request.get("execute").asText() + " has not been found\"}, \"id\": " + request.get("id") + "}\r\n";
        });

        try (QmpClient qmp = QmpClient.connect(socket, Duration.ofSeconds(5))) {
            assertThat(qmp.qemuVersion()).isEqualTo("7.2.22");
            qmp.stop();
            assertThat(qmp.queryStatus()).isEqualTo("paused");
            assertThat(qmp.humanMonitor("info usernet")).contains("8080", "(info usernet)");
            assertThatThrownBy(() -> qmp.execute("no-such")).isInstanceOf(QmpException.class)
                    .hasMessageContaining("has not been found")
                    .satisfies(e -> assertThat(((QmpException) e).errorClass()).isEqualTo("CommandNotFound"));
            assertThat(qmp.takeEvents()).extracting(e -> e.get("event").asText()).containsExactly("STOP", "RTC_CHANGE");
            qmp.quit();
            assertThat(qmp.awaitEvent("SHUTDOWN", Duration.ofSeconds(1)).get("event").asText()).isEqualTo("SHUTDOWN");
            assertThat(qmp.takeEvents()).isEmpty();
        }
    }

    @Test
    void quitCountsAsDoneWhenQemuClosesFirst() throws Exception {
        Path socket = tmp.resolve("qmp.sock");
        List<String> seen = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> server = serve(socket, 0, request -> {
            seen.add(request.get("execute").asText());
            return request.get("execute").asText().equals("quit") ? null : ok(request, "{}");
        });

        try (QmpClient qmp = QmpClient.connect(socket, Duration.ofSeconds(5))) {
            assertThatCode(qmp::quit).as("QEMU ending before its answer is what quit asked for")
                    .doesNotThrowAnyException();
            assertThatThrownBy(qmp::queryStatus).as("the connection is gone after it").isInstanceOf(IOException.class);
        }
        server.get(5, TimeUnit.SECONDS);
        assertThat(seen).containsExactly("qmp_capabilities", "quit");
    }

    @Test
    void pollEventsReturnsWhatHasArrivedWithoutWaiting() throws Exception {
        Path socket = tmp.resolve("qmp.sock");
        serve(socket, 0, request -> switch (request.get("execute").asText()) {
            case "stop" -> ok(request, "{}") + event("STOP");
            default -> ok(request, "{}");
        });

        try (QmpClient qmp = QmpClient.connect(socket, Duration.ofSeconds(5))) {
            assertThat(qmp.pollEvents()).as("nothing has arrived yet").isEmpty();
            qmp.stop();
            List<String> names = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (names.isEmpty() && System.nanoTime() < deadline) {
                qmp.pollEvents().forEach(e -> names.add(e.get("event").asText()));
                Thread.sleep(5);
            }
            assertThat(names).containsExactly("STOP");
            assertThat(qmp.pollEvents()).as("each event is returned once").isEmpty();
        }
    }

    @Test
    void aMonitorThatTakesNoConnectionIsGivenUpNamingIt() throws Exception {
        Path socket = tmp.resolve("full.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            // A monitor busy with its one client: it accepts no one, and its backlog is full.
            server.bind(UnixDomainSocketAddress.of(socket), 1);
            List<SocketChannel> queued = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
                    c.configureBlocking(false);
                    try {
                        c.connect(UnixDomainSocketAddress.of(socket));
                        queued.add(c);
                    } catch (IOException full) {
                        c.close();
                    }
                }
                assertThatThrownBy(() -> QmpClient.connect(socket, Duration.ofMillis(500)))
                        .isInstanceOf(IOException.class).hasMessageContaining("full.sock");
            } finally {
                for (SocketChannel c : queued) {
                    c.close();
                }
            }
        }
    }

    @Test
    void anUnansweredCommandTimesOut() throws Exception {
        Path socket = tmp.resolve("qmp.sock");
        serve(socket, 0, request -> request.get("execute").asText().equals("qmp_capabilities")
                ? ok(request, "{}") : "");

        try (QmpClient qmp = QmpClient.connect(socket, Duration.ofMillis(300))) {
            assertThatThrownBy(qmp::queryStatus).isInstanceOf(SocketTimeoutException.class)
                    .hasMessageContaining("qmp.sock did not answer within 300 ms", "query-status");
        }
    }

    @Test
    void givesUpWhenTheSocketNeverAppearsOrTheCallerSaysSo() {
        Path socket = tmp.resolve("never.sock");
        assertThatThrownBy(() -> QmpClient.connect(socket, Duration.ofMillis(200))).isInstanceOf(IOException.class)
                .hasMessageContaining("never.sock");

        int[] asked = new int[1];
        assertThatThrownBy(() -> QmpClient.connect(socket, Duration.ofMinutes(10), () -> ++asked[0] < 3))
                .as("the caller's word ends the wait, not the ten minutes").isInstanceOf(IOException.class);
        assertThat(asked[0]).isEqualTo(3);
    }
}
