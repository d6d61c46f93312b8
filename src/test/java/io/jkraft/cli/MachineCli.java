package io.jkraft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jkraft.common.Invocation;
import io.jkraft.machine.qemu.GuestConsoleHints;
import io.jkraft.machine.qemu.QemuProcess;
import io.jkraft.machine.qemu.QemuStateDir;
import io.jkraft.machine.qemu.QmpClient;
import io.jkraft.startup.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * jkraft's CLI against a state folder of the test's own: in process, or as a child JVM that a test can
 * signal or kill. Everything it starts is found again through the state folder, which every machine
 * process has in its argv, so {@link #cleanUp} can prove that nothing was left running.
 */
final class MachineCli {
    /** Generous bounds for things that take well under a second; they only keep a broken test from hanging. */
    static final Duration PATIENCE = Duration.ofSeconds(60);

    /** What one in-process command did; console is the guest's output of a foreground run. */
    record Result(int status, String out, String err, String console) {
        /** The lines of stderr that report an error; "one clear message" means exactly one. */
        List<String> errors() {
            return err.lines().filter(l -> l.startsWith("error: ")).toList();
        }
    }

    /** A process whose argv names this CLI's state folder. */
    record Vmm(long pid, List<String> argv) {
        boolean isQemu() {
            return !argv.isEmpty() && argv.getFirst().contains("qemu-system");
        }

        /** Whether this is QEMU running the machine called {@code name} (-name guest=NAME,...). */
        boolean runs(String name) {
            return isQemu() && argv.stream().anyMatch(a -> a.equals("guest=" + name) || a.startsWith("guest=" + name + ","));
        }
    }

    private final Path root;
    private final Map<String, String> env = new HashMap<>();
    private final List<Child> children = new ArrayList<>();
    private List<String> prefix = List.of();

    /** @param root an empty folder of the test; keep its path short (QMP socket paths are limited) */
    MachineCli(Path root) {
        this.root = root;
        env.put("HOME", root.resolve("home").toString());
        env.put("XDG_STATE_HOME", root.resolve("s").toString());
        env.put("XDG_CACHE_HOME", root.resolve("cache").toString());
        env.put("XDG_DATA_HOME", root.resolve("data").toString());
        env.put("XDG_CONFIG_HOME", root.resolve("config").toString());
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    }

    /** The environment every command of this CLI gets. */
    Map<String, String> environment() {
        return Map.copyOf(env);
    }

    MachineCli withEnv(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** The folder holding machines.db and runtime/. */
    Path stateDir() {
        return root.resolve("s").resolve("jkraft");
    }

    Path runtimeDir() {
        return stateDir().resolve("runtime");
    }

    Result run(String... args) {
        if (!prefix.isEmpty()) {
            return runWith(prefix, args);
        }
        return run(new ByteArrayOutputStream(), args);
    }

    /**
     * Runs every command of this CLI in a JVM of its own behind {@code command} (e.g. {@code ip netns exec NS}), so
     * that it acts in another network namespace or with other privileges than the test's JVM; empty: in process.
     */
    MachineCli withCommandPrefix(List<String> command) {
        prefix = List.copyOf(command);
        return this;
    }

    /** Another CLI on this one's store and environment whose commands all run behind {@code command}. */
    MachineCli sameStoreBehind(List<String> command) {
        MachineCli other = new MachineCli(root);
        other.env.putAll(env);
        return other.withCommandPrefix(command);
    }

    /** Runs one command in a JVM of its own behind {@code command} and waits for it. */
    Result runWith(List<String> command, String... args) {
        try (Child child = Child.start(command, root, env, args)) {
            int status = child.awaitExit();
            return new Result(status, child.out(), child.err(), "");
        } catch (Exception e) {
            throw new AssertionError("jkraft " + String.join(" ", args) + " could not be run: " + e, e);
        }
    }

    /** Starts {@code jkraft args} behind the command prefix, in a JVM of its own, without waiting. */
    Child startWithPrefix(String... args) throws IOException {
        Child child = Child.start(prefix, root, env, args);
        children.add(child);
        return child;
    }

    /** Runs a command whose guest console goes to {@code console} (the result's console is empty unless it is a buffer). */
    Result run(java.io.OutputStream console, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Main.execute(args, new Terminal(new PrintWriter(out, true), new PrintWriter(err, true), false,
                console), env);
        return new Result(status, out.toString(), err.toString(), console instanceof ByteArrayOutputStream b
                ? b.toString(StandardCharsets.ISO_8859_1).replace("\r\n", "\n") : "");
    }

    /** The machine service the CLI uses, on this CLI's state, for what no command offers yet. */
    io.jkraft.machine.MachineService machineService() {
        Terminal quiet = new Terminal(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), false);
        return new CliContext(quiet, new Invocation(Path.of("").toAbsolutePath(), env)).machineService();
    }

    /** Runs a command that must succeed. */
    Result ok(String... args) {
        Result r = run(args);
        assertThat(r.status()).as("jkraft %s failed: %s", String.join(" ", args), r.err()).isZero();
        return r;
    }

    /** Every machine as {@code ps -a -o json} shows it. */
    JsonNode machines() throws IOException {
        return new ObjectMapper().readTree(ok("ps", "-a", "-o", "json").out());
    }

    /** One machine from {@code ps -a -o json}, or null when ps does not list it. */
    JsonNode machine(String name) throws IOException {
        for (JsonNode m : machines()) {
            if (m.get("name").asText().equals(name)) {
                return m;
            }
        }
        return null;
    }

    /** A QMP connection to a machine's QEMU, for looking at what jkraft configured. */
    static QmpClient qmp(JsonNode machine) throws IOException {
        QemuStateDir state = new QemuStateDir(Path.of(machine.get("stateDir").asText()));
        return QemuProcess.attach(state, new GuestConsoleHints.Context(true, 8L << 20, state.consoleLog())).qmp();
    }

    static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** Starts {@code jkraft args} in a JVM of its own, with this CLI's environment. */
    Child start(String... args) throws IOException {
        Child child = Child.start(root, env, args);
        children.add(child);
        return child;
    }

    /** Processes (other than this JVM) with the state folder in their argv: QEMU and its wrapper shell. */
    List<Vmm> processes() throws IOException {
        String marker = stateDir().toString();
        long self = ProcessHandle.current().pid();
        List<Vmm> found = new ArrayList<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            for (Path p : entries.toList()) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit) || Long.parseLong(name) == self) {
                    continue;
                }
                List<String> argv = argv(p.resolve("cmdline"));
                if (argv.stream().anyMatch(a -> a.contains(marker))) {
                    found.add(new Vmm(Long.parseLong(name), argv));
                }
            }
        }
        return found;
    }

    /** The QEMU processes of one machine, recognised by its runtime folder (the VMM marker). */
    List<Vmm> qemuOf(JsonNode machine) throws IOException {
        String dir = machine.get("stateDir").asText();
        return processes().stream().filter(Vmm::isQemu).filter(v -> v.argv().stream().anyMatch(a -> a.contains(dir)))
                .toList();
    }

    private static List<String> argv(Path cmdline) {
        try {
            String raw = Files.readString(cmdline, StandardCharsets.UTF_8);
            return raw.isEmpty() ? List.of() : List.of(raw.split("\0"));
        } catch (IOException e) {
            return List.of(); // ended meanwhile
        }
    }

    /** A condition that may need I/O to find out. */
    @FunctionalInterface
    interface Check {
        boolean holds() throws Exception;
    }

    /** Polls until the condition holds; fails with {@code what} when it does not within {@link #PATIENCE}. */
    static void await(String what, Check condition) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gave up waiting: " + what);
            }
            Thread.sleep(20);
        }
    }

    /**
     * Ends the test's child JVMs, removes every machine with {@code rm --all}, and checks that no process
     * and no runtime folder is left. Leftover processes are killed before the assertions fail, so a
     * failing test never leaks QEMU into the rest of the suite.
     */
    void cleanUp() throws IOException {
        children.forEach(Child::close);
        children.clear();
        if (!Files.exists(stateDir())) {
            return;
        }
        Result rm = run("rm", "--all");
        List<Vmm> left = processes();
        left.forEach(v -> ProcessHandle.of(v.pid()).ifPresent(ProcessHandle::destroyForcibly));
        assertThat(left).as("processes left after rm --all").isEmpty();
        assertThat(rm.status()).as(rm.err()).isZero();
        if (Files.exists(runtimeDir())) {
            try (Stream<Path> folders = Files.list(runtimeDir())) {
                assertThat(folders.toList()).as("runtime folders left after rm --all").isEmpty();
            }
        }
    }
}
