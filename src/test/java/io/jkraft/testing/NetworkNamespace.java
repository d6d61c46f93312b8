package io.jkraft.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A network namespace a test makes with {@code ip netns add} (loopback up) and removes, with every device in it,
 * when closed: where the tests' bridges and taps live, so that none is left on the host whatever the test does.
 * Commands run inside it behind {@link #prefix()}.
 */
public final class NetworkNamespace implements AutoCloseable {
    private static final AtomicInteger COUNT = new AtomicInteger();
    private static final long PATIENCE_SECONDS = 60;

    private final String name;

    private NetworkNamespace(String name) {
        this.name = name;
    }

    /** What a command printed (stdout and stderr together) and its exit status. */
    public record Exec(int status, String out) {}

    /** Why namespaces cannot be made here (not root, no iproute2), or empty when they can. */
    public static Optional<String> unusableReason() throws IOException, InterruptedException {
        String probe = "jkprobe" + ProcessHandle.current().pid() + "p" + COUNT.incrementAndGet();
        Exec add = run("ip", "netns", "add", probe);
        if (add.status() != 0) {
            return Optional.of("`ip netns add` does not work here (it needs root): " + add.out().strip());
        }
        run("ip", "netns", "del", probe);
        return Optional.empty();
    }

    /** Makes a namespace with a name of this JVM's (short: it names devices' namespaces in ip's output). */
    public static NetworkNamespace create() throws IOException, InterruptedException {
        NetworkNamespace ns = new NetworkNamespace("jk" + ProcessHandle.current().pid() + "n" + COUNT.incrementAndGet());
        must("ip", "netns", "add", ns.name);
        // Published ports bind 127.0.0.1, which a new namespace has only once lo is up.
        must("ip", "-n", ns.name, "link", "set", "lo", "up");
        return ns;
    }

    public String name() {
        return name;
    }

    /** The words that run a command inside the namespace. */
    public List<String> prefix() {
        return List.of("ip", "netns", "exec", name);
    }

    /** Runs a command inside the namespace. */
    public Exec exec(String... command) throws IOException, InterruptedException {
        List<String> all = new ArrayList<>(prefix());
        all.addAll(List.of(command));
        return run(all.toArray(String[]::new));
    }

    /** Runs a command on the host and waits for it (at most a minute). */
    public static Exec run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(PATIENCE_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not end");
        }
        return new Exec(p.exitValue(), out);
    }

    /** Runs a command on the host; it must succeed. */
    public static String must(String... command) throws IOException, InterruptedException {
        Exec r = run(command);
        assertThat(r.status()).as("%s: %s", String.join(" ", command), r.out()).isZero();
        return r.out();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        run("ip", "netns", "del", name);
    }
}
