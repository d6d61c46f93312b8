package io.jkraft.startup;

import io.jkraft.machine.qemu.QmpClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * For the AOT training run only: answers a QMP client the way a QEMU created with {@code -S} does, so
 * that the client's start-up handshake is part of the training without starting QEMU.
 */
final class StandInQmp {
    private StandInQmp() {}

    /** Serves one connection on {@code socket} and drives it with the real client: handshake, status, cont. */
    static void exercise(Path socket) throws IOException, InterruptedException {
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Thread serving = Thread.ofPlatform().daemon().start(() -> serve(server));
            try (QmpClient qmp = QmpClient.connect(socket, Duration.ofSeconds(5))) {
                qmp.queryStatus();
                qmp.cont();
            }
            serving.join(Duration.ofSeconds(5));
        }
    }

    private static void serve(ServerSocketChannel server) {
        try (SocketChannel client = server.accept()) {
            OutputStream out = Channels.newOutputStream(client);
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(client),
                    StandardCharsets.UTF_8));
            send(out, "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}}, \"capabilities\": []}}");
            String line;
            while ((line = in.readLine()) != null) {
                String id = line.replaceAll(".*\"id\"\\s*:\\s*(\\d+).*", "$1");
                String answer = line.contains("query-status") ? "{\"status\": \"prelaunch\", \"running\": false}" : "{}";
                send(out, "{\"return\": " + answer + ", \"id\": " + id + "}");
            }
        } catch (IOException e) {
            // The client has gone: the training is over.
        }
    }

    private static void send(OutputStream out, String message) throws IOException {
        out.write((message + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
