package io.jkraft.profile.gdb;

import io.jkraft.common.Architecture;
import io.jkraft.profile.sample.GuestMemory;
import io.jkraft.profile.sample.RegisterSnapshot;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A GDB remote serial protocol client for QEMU's gdbstub, made for sampling: stop every vCPU, read each
 * one's registers, read guest memory in large blocks, resume.
 *
 * <p>QEMU's gdbstub is all-stop: the interrupt byte stops every vCPU, {@code c} resumes them all, and the
 * guest is stopped from the moment a client connects. Threads are vCPUs, numbered from 1. The client
 * negotiates no-ack mode when offered (QEMU 7.2 does not offer it), and sends the packets of a batch (register
 * reads of all vCPUs, the chunks of one memory read) in one write, reading their answers after, since QEMU
 * answers in order.
 *
 * <p>Not thread-safe: one sampler owns a client. Every wait is bounded by the timeout given to
 * {@link #connect}; when the guest ends (QEMU reports an exit or closes the connection) the current call
 * throws {@link GuestExitedException}.
 */
public final class GdbClient implements AutoCloseable {
    private static final Pattern PACKET_SIZE = Pattern.compile("(?:^|;)PacketSize=([0-9a-fA-F]+)");
    private static final Pattern ARCHITECTURE = Pattern.compile("<architecture>([^<]+)</architecture>");
    private static final int MIN_CHUNK = 16;

    private final GdbPacketChannel channel;
    private final int packetSize;
    private final RegisterLayout layout;
    private List<Integer> threads;
    private boolean running;
    private boolean ended;
    private boolean detached;

    private GdbClient(GdbPacketChannel channel, int packetSize, RegisterLayout layout) {
        this.channel = channel;
        this.packetSize = packetSize;
        this.layout = layout;
    }

    /** Connects to a gdbstub on 127.0.0.1. */
    public static GdbClient connect(int port, Duration timeout) throws IOException {
        return connect(new InetSocketAddress("127.0.0.1", port), timeout);
    }

    /**
     * Connects, retrying refused connections (QEMU still starting) for up to {@code timeout}, and sets the
     * session up: features, no-ack mode, the target's architecture, its stop state. The guest is stopped
     * when this returns (QEMU stops it when a debugger connects); {@link #resume} lets it run.
     */
    public static GdbClient connect(SocketAddress address, Duration timeout) throws IOException {
        GdbPacketChannel channel = GdbPacketChannel.open(address, timeout);
        try {
            String features = reply(channel, "qSupported:swbreak+;hwbreak+");
            Matcher size = PACKET_SIZE.matcher(features);
            int packetSize = size.find() ? Integer.parseInt(size.group(1), 16) : 400;
            if (features.contains("QStartNoAckMode+") && reply(channel, "QStartNoAckMode").equals("OK")) {
                channel.stopAcknowledging();
            }
            RegisterLayout layout = RegisterLayout.forTargetArchitecture(targetArchitecture(channel, features,
                    packetSize));
            GdbClient client = new GdbClient(channel, packetSize, layout);
            client.stopReply(request(channel, "?"));
            return client;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** x86_64 or arm64, from the stub's target description. */
    public Architecture architecture() {
        return layout.architecture();
    }

    /** The largest packet the stub takes, as it announced it. */
    public int packetSize() {
        return packetSize;
    }

    /** Whether acknowledgements were switched off (QStartNoAckMode). */
    public boolean noAckMode() {
        return !channel.acknowledging();
    }

    /** Whether the vCPUs run (after {@link #resume}) rather than being stopped. */
    public boolean isRunning() {
        return running;
    }

    /** The vCPUs' thread ids (1, 2, ...), read once; the guest must be stopped. */
    public List<Integer> threads() throws IOException {
        requireStopped("list threads");
        if (threads == null) {
            List<Integer> ids = new ArrayList<>();
            String reply = command("qfThreadInfo");
            while (reply.startsWith("m")) {
                for (String id : reply.substring(1).split(",")) {
                    ids.add(Integer.parseInt(id, 16));
                }
                reply = command("qsThreadInfo");
            }
            if (!reply.equals("l") || ids.isEmpty()) {
                throw new GdbException("unexpected thread list answer: " + reply);
            }
            threads = List.copyOf(ids);
        }
        return threads;
    }

    /** Stops every vCPU (the interrupt byte) and waits for the stop reply; nothing to do when stopped. */
    public void stop() throws IOException {
        if (!running) {
            return;
        }
        guarded(() -> {
            channel.sendInterrupt();
            while (running) {
                String reply = channel.receive();
                if (Replies.isStopReply(reply) || Replies.isExitReply(reply)) {
                    stopReply(reply);
                }
                // Anything else here ('O' console output) is not an answer to us.
            }
            return null;
        });
    }

    /** Lets every vCPU run again; no answer comes until the next stop. */
    public void resume() throws IOException {
        requireStopped("resume");
        guarded(() -> {
            // Not waiting for the '+' saves a round trip per sample; the next read skips it.
            channel.sendUnacknowledged("c");
            running = true;
            return null;
        });
    }

    /** The registers of one vCPU; the guest must be stopped. */
    public RegisterSnapshot registers(int thread) throws IOException {
        return sampleThreads(List.of(thread)).get(thread);
    }

    /**
     * Stops the guest (unless stopped) and reads the registers of every vCPU, by thread id in vCPU order.
     * The guest stays stopped so that the caller can read memory; then {@link #resume}.
     */
    public Map<Integer, RegisterSnapshot> sampleAll() throws IOException {
        stop();
        return sampleThreads(threads());
    }

    /**
     * What a profiler takes at each sample: stops the guest, reads every vCPU's registers and, in the same
     * round trip, the given blocks of memory (where the last sample's walk read: the stack near sp, frames
     * further up), which spares the walk its own round trips while the stack has not moved. A block that
     * could not be read comes back null. The guest stays stopped; then {@link #resume}.
     */
    public Sample sample(List<Block> blocks) throws IOException {
        if (!running || threads == null) {
            Map<Integer, RegisterSnapshot> registers = sampleAll();
            List<byte[]> memory = new ArrayList<>();
            for (Block b : blocks) {
                memory.add(readOrNull(b.address(), b.length()));
            }
            return new Sample(registers, blocks, memory, System.nanoTime());
        }
        return pipelined(blocks, false);
    }

    /**
     * {@link #sample}, with the guest running again when this returns: the interrupt, the reads and the
     * {@code c} go in one write, and QEMU, which takes them in order, resumes the guest right after its last
     * answer, without waiting for this client to read the answers, walk and ask. The blocks are all the
     * memory the caller gets: what else a walk needs is gone by the time it knows.
     */
    public Sample sampleAndResume(List<Block> blocks) throws IOException {
        if (!running || threads == null) {
            Sample sample = sample(blocks);
            resume();
            return sample;
        }
        return pipelined(blocks, true);
    }

    private Sample pipelined(List<Block> blocks, boolean resume) throws IOException {
        // With one vCPU, g and m can only mean that one: no Hg, one packet less to answer while the guest waits.
        boolean single = threads.size() == 1;
        List<String> packets = new ArrayList<>(single ? List.of("g") : registerPackets(threads));
        int registerCount = packets.size();
        int chunk = chunk();
        for (Block b : blocks) {
            packets.addAll(MemoryPackets.requests(b.address(), b.length(), chunk));
        }
        int answered = packets.size();
        if (resume) {
            packets.add("c");
        }
        List<String> replies = guarded(() -> {
            // Acknowledging answers after the c would stop the guest again: QEMU stops a running guest on
            // any byte. Unacknowledged answers are fine: QEMU stops waiting for an ack at the next packet.
            channel.sendAll(true, packets, !resume);
            String stop;
            do {
                stop = channel.receive();
            } while (!Replies.isStopReply(stop) && !Replies.isExitReply(stop)); // 'O' console output is not for us
            stopReply(stop);
            List<String> answers = new ArrayList<>(answered);
            for (int i = 0; i < answered; i++) {
                answers.add(reply(channel, null));
            }
            running = resume;
            return answers;
        });
        long lastAnswer = System.nanoTime();
        Map<Integer, RegisterSnapshot> registers = single
                ? Map.of(threads.get(0), layout.decode(Replies.expectData(replies.get(0), "g")))
                : decodeRegisters(threads, replies.subList(0, registerCount));
        List<byte[]> memory = new ArrayList<>();
        int at = registerCount;
        for (Block b : blocks) {
            int n = (b.length() + chunk - 1) / chunk;
            memory.add(MemoryPackets.decodeOrNull(replies.subList(at, at + n), b.address(), b.length(), chunk));
            at += n;
        }
        return new Sample(registers, blocks, memory, lastAnswer);
    }

    /** A range of guest memory. */
    public record Block(long address, int length) {}

    /**
     * Registers of every vCPU and blocks of memory (null where unreadable), read while the guest was stopped;
     * {@code answeredNanos} is when the last answer had arrived (System.nanoTime), before any of it was decoded.
     */
    public record Sample(Map<Integer, RegisterSnapshot> registers, List<Block> blocks, List<byte[]> memory,
            long answeredNanos) {}

    private byte[] readOrNull(long address, int length) throws IOException {
        try {
            return readMemory(address, length);
        } catch (GuestExitedException e) {
            throw e;
        } catch (GdbException e) {
            return null;
        }
    }

    private static List<String> registerPackets(List<Integer> ids) {
        List<String> packets = new ArrayList<>();
        for (int id : ids) {
            packets.add("Hg" + Integer.toHexString(id));
            packets.add("g");
        }
        return packets;
    }

    private Map<Integer, RegisterSnapshot> sampleThreads(List<Integer> ids) throws IOException {
        requireStopped("read registers");
        return decodeRegisters(ids, batch(registerPackets(ids)));
    }

    private Map<Integer, RegisterSnapshot> decodeRegisters(List<Integer> ids, List<String> replies) throws GdbException {
        Map<Integer, RegisterSnapshot> snapshots = new LinkedHashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            String selected = replies.get(2 * i);
            if (!selected.equals("OK")) {
                throw new GdbException("cannot select vCPU thread " + ids.get(i) + ": " + Replies.describe(selected));
            }
            snapshots.put(ids.get(i), layout.decode(Replies.expectData(replies.get(2 * i + 1), "g")));
        }
        return snapshots;
    }

    /**
     * Reads {@code length} bytes of guest virtual memory at {@code address} (as the vCPU last selected
     * sees it), in packets as large as the stub takes; the guest must be stopped.
     *
     * @throws GdbException when part of the range cannot be read (not mapped)
     */
    public byte[] readMemory(long address, int length) throws IOException {
        requireStopped("read memory");
        int chunk = chunk();
        return MemoryPackets.decode(batch(MemoryPackets.requests(address, length, chunk)), address, length, chunk);
    }

    private int chunk() {
        return Math.max(MIN_CHUNK, packetSize / 2);
    }

    /** The guest's memory through this client, for a stack walk while the guest is stopped. */
    public GuestMemory memory() {
        return this::readMemory;
    }

    /** Ends the debugging session; QEMU lets the guest run on. */
    public void detach() throws IOException {
        if (detached || ended) {
            return;
        }
        stop();
        guarded(() -> {
            String reply = request(channel, "D");
            if (!reply.equals("OK")) {
                throw new GdbException("detach failed: " + Replies.describe(reply));
            }
            detached = true;
            running = true;
            return null;
        });
    }

    /** Detaches (so that the guest runs on) unless the guest has ended, and closes the connection. */
    @Override
    public void close() throws IOException {
        try {
            detach();
        } catch (GuestExitedException e) {
            // Nothing to let go of.
        } finally {
            channel.close();
        }
    }

    /**
     * Sends the packets in one write and returns their answers in order. In ack mode too: QEMU takes a new
     * packet's {@code $} as the end of waiting for the previous answer's ack, and ignores acks that come
     * later, so the round trips of a batch overlap.
     */
    private List<String> batch(List<String> packets) throws IOException {
        return guarded(() -> {
            List<String> replies = new ArrayList<>(packets.size());
            channel.sendAll(packets);
            for (int i = 0; i < packets.size(); i++) {
                replies.add(reply(channel, null));
            }
            return replies;
        });
    }

    private String command(String packet) throws IOException {
        return guarded(() -> reply(channel, packet));
    }

    /** One request and its answer, before the client exists (no state to keep). */
    private static String request(GdbPacketChannel channel, String packet) throws IOException {
        channel.send(packet);
        return channel.receive();
    }

    /**
     * The answer to a packet ({@code null}: already sent). A stop reply QEMU sent on its own (when a client
     * connects it stops the guest) is skipped; an exit reply means the guest is gone.
     */
    private static String reply(GdbPacketChannel channel, String packet) throws IOException {
        if (packet != null) {
            channel.send(packet);
        }
        while (true) {
            String reply = channel.receive();
            if (Replies.isExitReply(reply)) {
                throw Replies.exited(reply);
            }
            if (!Replies.isStopReply(reply)) {
                return reply;
            }
        }
    }

    private void stopReply(String reply) throws GdbException {
        if (Replies.isExitReply(reply)) {
            ended = true;
            throw Replies.exited(reply);
        }
        if (!Replies.isStopReply(reply)) {
            throw new GdbException("expected a stop reply, got: " + Replies.describe(reply));
        }
        running = false;
    }

    private interface Exchange<T> {
        T run() throws IOException;
    }

    /** Runs an exchange, remembering when the guest has gone so that close() does not talk to it. */
    private <T> T guarded(Exchange<T> exchange) throws IOException {
        if (ended) {
            throw new GuestExitedException("the guest has ended", -1, null);
        }
        try {
            return exchange.run();
        } catch (GuestExitedException e) {
            ended = true;
            throw e;
        }
    }

    private void requireStopped(String what) {
        if (running) {
            throw new IllegalStateException("cannot " + what + " while the guest runs: stop() it first");
        }
    }

    private static String targetArchitecture(GdbPacketChannel channel, String features, int packetSize)
            throws IOException {
        if (!features.contains("qXfer:features:read+")) {
            throw new GdbException("the gdbstub offers no target description (qXfer:features:read)");
        }
        StringBuilder xml = new StringBuilder();
        int length = Math.max(MIN_CHUNK, packetSize - 8);
        while (true) {
            String reply = reply(channel, "qXfer:features:read:target.xml:" + Integer.toHexString(xml.length()) + ","
                    + Integer.toHexString(length));
            if (reply.isEmpty() || (reply.charAt(0) != 'm' && reply.charAt(0) != 'l')) {
                throw new GdbException("cannot read the target description: " + Replies.describe(reply));
            }
            xml.append(reply, 1, reply.length());
            Matcher m = ARCHITECTURE.matcher(xml);
            if (m.find()) {
                return m.group(1).strip();
            }
            if (reply.charAt(0) == 'l') {
                throw new GdbException("the target description names no architecture");
            }
        }
    }
}
