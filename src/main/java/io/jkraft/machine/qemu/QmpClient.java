package io.jkraft.machine.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnixDomainSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * A QMP client over QEMU's unix socket: greeting, {@code qmp_capabilities}, then one command at a time.
 * Asynchronous events (SHUTDOWN, STOP, RESUME, ...) may arrive between a command and its answer; they
 * are set aside and can be read with {@link #takeEvents()}. Every read honours the client's timeout.
 *
 * <p>QEMU serves one QMP client at a time and queues the others, so callers should connect for an
 * operation and close again rather than hold the connection.
 */
public final class QmpClient implements AutoCloseable {

    private static final Duration RETRY_PAUSE = Duration.ofMillis(2);
    private static final int MAX_EVENTS = 256;

    private final SocketChannel channel;
    private final Selector selector;
    private final Duration timeout;
    /** Where the monitor is, for messages. */
    private final Path socket;
    /** The command being answered, for messages. */
    private String waitingFor = "the greeting";
    private final ObjectMapper json = new ObjectMapper();
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private final ByteBuffer readBuffer = ByteBuffer.allocate(8192);
    private final List<JsonNode> events = new ArrayList<>();
    private JsonNode greeting;
    private long nextId = 1;

    private QmpClient(SocketChannel channel, Duration timeout, Path socket) throws IOException {
        this.channel = channel;
        this.timeout = timeout;
        this.socket = socket;
        channel.configureBlocking(false);
        this.selector = Selector.open();
    }

    /** Connects, waiting up to {@code timeout} for QEMU to create the socket. */
    public static QmpClient connect(Path socket, Duration timeout) throws IOException {
        return connect(socket, timeout, () -> true);
    }

    /**
     * Connects, retrying while the socket does not exist or refuses connections (QEMU is still starting)
     * and {@code keepTrying} holds, for at most {@code timeout}; then negotiates capabilities.
     */
    public static QmpClient connect(Path socket, Duration timeout, BooleanSupplier keepTrying) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(socket);
        while (true) {
            SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                // Non-blocking: a blocking connect to a monitor whose backlog is full (its one client busy, others
                // queued) waits for ever; Linux refuses a non-blocking one at once (EAGAIN), and this loop retries.
                channel.configureBlocking(false);
                if (!channel.connect(address)) {
                    throw new SocketException("the monitor did not take the connection yet");
                }
                QmpClient client = new QmpClient(channel, timeout, socket);
                try {
                    client.handshake(deadline);
                    return client;
                } catch (IOException e) {
                    client.close();
                    throw e;
                }
            } catch (SocketException e) {
                channel.close();
                if (System.nanoTime() > deadline || !keepTrying.getAsBoolean()) {
                    throw new IOException("cannot connect to QMP socket " + socket + ": " + e.getMessage(), e);
                }
                sleep(RETRY_PAUSE);
            }
        }
    }

    private void handshake(long deadline) throws IOException {
        JsonNode first = readMessage(deadline);
        if (!first.has("QMP")) {
            throw new IOException("not a QMP greeting: " + first);
        }
        greeting = first.get("QMP");
        execute("qmp_capabilities");
    }

    /** QEMU's version as reported in the greeting, e.g. {@code 7.2.22}. */
    public String qemuVersion() {
        JsonNode v = greeting.path("version").path("qemu");
        return v.path("major").asInt() + "." + v.path("minor").asInt() + "." + v.path("micro").asInt();
    }

    /** Runs a command without arguments and returns its {@code return} value. */
    public JsonNode execute(String command) throws IOException {
        return execute(command, Map.of());
    }

    /** Runs a command and returns its {@code return} value; a QMP error becomes a {@link QmpException}. */
    public JsonNode execute(String command, Map<String, ?> arguments) throws IOException {
        long id = nextId++;
        waitingFor = command;
        ObjectNode request = json.createObjectNode().put("execute", command).put("id", id);
        if (!arguments.isEmpty()) {
            request.set("arguments", json.valueToTree(arguments));
        }
        write(json.writeValueAsString(request) + "\n");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode message = readMessage(deadline);
            if (message.has("event")) {
                keepEvent(message);
            } else if (message.path("id").asLong(-1) != id) {
                // An answer to an earlier command whose wait timed out: not ours.
                continue;
            } else if (message.has("error")) {
                JsonNode error = message.get("error");
                throw new QmpException(command, error.path("class").asText(), error.path("desc").asText());
            } else {
                return message.path("return");
            }
        }
    }

    /**
     * The run state: {@code running}, {@code paused}, {@code prelaunch} (created with -S),
     * {@code shutdown}, {@code guest-panicked}, ...
     */
    public String queryStatus() throws IOException {
        return execute("query-status").path("status").asText();
    }

    /** Pauses the vCPUs. */
    public void stop() throws IOException {
        execute("stop");
    }

    /** Resumes the vCPUs (also starts a machine created with -S). */
    public void cont() throws IOException {
        execute("cont");
    }

    /** Asks the guest to power off, as a power button would; Unikraft may ignore it. */
    public void systemPowerdown() throws IOException {
        execute("system_powerdown");
    }

    /** Ends QEMU at once. QEMU may close the connection before answering; that counts as done. */
    public void quit() throws IOException {
        try {
            execute("quit");
        } catch (EOFException e) {
            // QEMU exited before its answer reached us.
        }
    }

    /** Runs a human monitor command, such as {@code info usernet}, and returns its text. */
    public String humanMonitor(String commandLine) throws IOException {
        return execute("human-monitor-command", Map.of("command-line", commandLine)).asText();
    }

    /** The events received so far, oldest first; the list is emptied. */
    public List<JsonNode> takeEvents() {
        List<JsonNode> taken = List.copyOf(events);
        events.clear();
        return taken;
    }

    /** Waits up to {@code wait} for an event with this name (SHUTDOWN, STOP, ...), checking kept ones first. */
    public JsonNode awaitEvent(String name, Duration wait) throws IOException {
        for (JsonNode e : events) {
            if (name.equals(e.path("event").asText())) {
                events.remove(e);
                return e;
            }
        }
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            JsonNode message = readMessage(deadline);
            if (name.equals(message.path("event").asText())) {
                return message;
            }
            if (message.has("event")) {
                keepEvent(message);
            }
        }
    }

    /**
     * The events that have arrived by now, read without waiting (oldest first, kept ones included); the
     * list of kept events is emptied. For a follower that checks QEMU's state between other work.
     *
     * @throws EOFException when QEMU closed the connection (it has ended)
     */
    public List<JsonNode> pollEvents() throws IOException {
        while (true) {
            String line = nextLine();
            if (line != null) {
                if (!line.isBlank()) {
                    JsonNode message = json.readTree(line);
                    if (message.has("event")) {
                        keepEvent(message);
                    }
                }
                continue;
            }
            readBuffer.clear();
            int n = channel.read(readBuffer);
            if (n < 0) {
                throw new EOFException("QEMU closed the QMP connection");
            }
            if (n == 0) {
                return takeEvents();
            }
            pending.write(readBuffer.array(), 0, n);
        }
    }

    private void keepEvent(JsonNode event) {
        if (events.size() == MAX_EVENTS) {
            events.removeFirst();
        }
        events.add(event);
    }

    private void write(String text) throws IOException {
        ByteBuffer out = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + timeout.toNanos();
        while (out.hasRemaining()) {
            if (channel.write(out) == 0) {
                await(SelectionKey.OP_WRITE, deadline, "to send to QEMU");
            }
        }
    }

    /** The next message; QMP sends one JSON object per line. */
    private JsonNode readMessage(long deadline) throws IOException {
        while (true) {
            String line = nextLine();
            if (line == null) {
                fill(deadline);
            } else if (!line.isBlank()) {
                return json.readTree(line);
            }
        }
    }

    private String nextLine() {
        byte[] bytes = pending.toByteArray();
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                pending.reset();
                pending.write(bytes, i + 1, bytes.length - i - 1);
                return new String(bytes, 0, i, StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private void fill(long deadline) throws IOException {
        readBuffer.clear();
        int n;
        while ((n = channel.read(readBuffer)) == 0) {
            await(SelectionKey.OP_READ, deadline, "for QEMU's answer");
        }
        if (n < 0) {
            throw new EOFException("QEMU closed the QMP connection");
        }
        pending.write(readBuffer.array(), 0, n);
    }

    private void await(int operation, long deadline, String what) throws IOException {
        SelectionKey key = channel.register(selector, operation);
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new SocketTimeoutException("QEMU's monitor at " + socket + " did not answer within "
                            + timeout.toMillis() + " ms (waiting " + what + " to " + waitingFor + ")");
                }
                if (selector.select(Math.max(1, left / 1_000_000)) > 0) {
                    selector.selectedKeys().clear();
                    return;
                }
            }
        } finally {
            key.interestOps(0);
        }
    }

    private static void sleep(Duration pause) throws IOException {
        try {
            Thread.sleep(pause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while connecting to QMP");
        }
    }

    @Override
    public void close() throws IOException {
        try {
            selector.close();
        } finally {
            channel.close();
        }
    }
}
