package io.jkraft.cli;

import io.jkraft.common.ExitCode;
import io.jkraft.common.Invocation;
import io.jkraft.machine.store.MachineStore;
import java.io.BufferedReader;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * One command the launcher hands to the {@link ResidentHelper}. The protocol, all in the helper's folder
 * (mode 0700), is what bash can do without starting a program:
 * <ol>
 *   <li>The launcher makes two FIFOs, {@code ID.status} and {@code ID.control} ({@code ID} is its pid, a
 *       dash and a random number), opens both for reading and writing, and writes its arguments,
 *       NUL-terminated, to {@code ID.args}.</li>
 *   <li>It writes {@code ID PID OUT_TTY ERR_TTY} to the helper's {@code requests} FIFO (one short line, so
 *       the write is atomic among several launchers).</li>
 *   <li>The helper claims the request by renaming {@code ID.args} to {@code ID.taken}; a launcher that
 *       heard nothing for a while cancels by renaming it to {@code ID.cancelled}, so exactly one of them
 *       wins and a command never runs twice.</li>
 *   <li>The helper answers on {@code ID.status}: {@code refused restart REASON} (another working folder,
 *       environment or umask: the launcher runs the command itself and starts a helper of its own),
 *       {@code refused direct REASON} (the launcher runs it itself), or {@code accepted}, then the
 *       command's output on the launcher's own stdout and stderr (its copies of them on descriptors 6
 *       and 7, opened through {@code /proc}), and finally {@code exit N}.</li>
 *   <li>A signal the launcher receives goes to {@code ID.control} as {@code INT}, {@code TERM} or
 *       {@code HUP}: the command's interrupt actions run, as a JVM's shutdown hooks would, and it ends
 *       with 128 + the signal's number.</li>
 * </ol>
 */
final class HelperRequest {
    private static final Pattern LINE = Pattern.compile("(\\d{1,10}-\\d{1,10}) (\\d{1,10}) ([01]) ([01])");
    /** Variables a shell sets for itself, which differ between two launchers of the same environment. */
    private static final Set<String> SHELL_OWN = Set.of("_", "PWD", "OLDPWD", "SHLVL");
    /**
     * jkraft's own folders, which may differ from the helper's: commands read them from the request's
     * environment, and no program jkraft starts (QEMU, make) looks at them.
     */
    private static final Set<String> PER_REQUEST = Set.of("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME",
            "XDG_CACHE_HOME");
    private static final Map<String, Integer> SIGNALS = Map.of("HUP", 1, "INT", 2, "TERM", 15);
    /**
     * The launcher's copies of its stdout and stderr: bash points 1 and 2 elsewhere for the moment a
     * builtin's output is redirected (the request line itself is written that way).
     */
    private static final String STDOUT_COPY = "6";
    private static final String STDERR_COPY = "7";

    private final Path dir;
    private final String id;
    private final long pid;
    private final boolean outTty;
    private final boolean errTty;
    private final AtomicBoolean finished = new AtomicBoolean();
    private Map<String, String> environment;
    private Path workingDir;
    private final List<Runnable> onInterrupt = new CopyOnWriteArrayList<>();
    /** Not a FileChannel: an interrupt meant for the command would close it, and the exit status with it. */
    private RandomAccessFile status;
    private GatedOutputStream out;
    private GatedOutputStream err;

    private HelperRequest(Path dir, String id, long pid, boolean outTty, boolean errTty) {
        this.dir = dir;
        this.id = id;
        this.pid = pid;
        this.outTty = outTty;
        this.errTty = errTty;
    }

    /** A request line, or null when it is not one (nothing else is ever written there by jkraft). */
    static HelperRequest parse(Path dir, String line) {
        var m = LINE.matcher(line);
        if (!m.matches()) {
            return null;
        }
        return new HelperRequest(dir, m.group(1), Long.parseLong(m.group(2)), m.group(3).equals("1"),
                m.group(4).equals("1"));
    }

    String id() {
        return id;
    }

    /** Claims, checks and runs the command, answering on the launcher's FIFOs. */
    void serve(Function<Path, MachineStore> stores) {
        List<String> args;
        try {
            Files.move(file("args"), file("taken"), StandardCopyOption.ATOMIC_MOVE);
            args = nulSeparated(Files.readAllBytes(file("taken")));
            // Read and write: opening a FIFO so never waits, whatever the launcher does.
            status = new RandomAccessFile(file("status").toFile(), "rw");
        } catch (IOException e) {
            // NoSuchFileException: the launcher cancelled it (renamed the arguments away) first
            cleanUp();
            return;
        }
        try {
            String mismatch = mismatch();
            if (mismatch != null) {
                answer("refused restart " + mismatch);
                return;
            }
            Path stdout = Path.of("/proc", Long.toString(pid), "fd", STDOUT_COPY);
            Path stderr = Path.of("/proc", Long.toString(pid), "fd", STDERR_COPY);
            if (Files.isRegularFile(stdout) || Files.isRegularFile(stderr)) {
                // A file opened anew has a write position of its own: the launcher's later writes would overwrite ours.
                answer("refused direct the standard output or error is a file");
                return;
            }
            if (namedFifo(stdout) || namedFifo(stderr)) {
                // Opening a FIFO for writing waits until it has a reader: for ever once its reader has gone. The
                // launcher's own JVM writes to the descriptor it has, which opens nothing.
                answer("refused direct the standard output or error is a named FIFO");
                return;
            }
            try {
                out = new GatedOutputStream(new FileOutputStream(stdout.toFile(), true));
                err = new GatedOutputStream(new FileOutputStream(stderr.toFile(), true));
            } catch (IOException e) {
                // A socket cannot be opened again through /proc.
                answer("refused direct the standard output or error cannot be reopened");
                return;
            }
            answer("accepted");
            run(args, stores);
        } finally {
            // An interrupt meant for the command must not cut the clean-up short.
            Thread.interrupted();
            close(status);
            cleanUp();
        }
    }

    private void run(List<String> args, Function<Path, MachineStore> stores) {
        Thread worker = Thread.currentThread();
        Thread control = Thread.ofPlatform().daemon().name("jkraft-helper-control-" + id).start(() -> listen(worker));
        Terminal terminal = new Terminal(new PrintWriter(out, true, StandardCharsets.UTF_8),
                new PrintWriter(err, true, StandardCharsets.UTF_8), outTty, out);
        int exit;
        try {
            exit = Main.execute(args.toArray(String[]::new), new CliContext(terminal, new Invocation(workingDir, environment),
                    action -> {
                        onInterrupt.add(action);
                        return () -> onInterrupt.remove(action);
                    }, stores));
        } catch (RuntimeException | Error e) {
            exit = new Main.UserErrors(terminal).report(e instanceof Exception x ? x : new RuntimeException(e), false);
        }
        terminal.out().flush();
        terminal.err().flush();
        finish(exit);
        control.interrupt();
    }

    /**
     * Signals forwarded by the launcher, and its end: the control FIFO is opened for reading only, so it
     * reports end-of-file once the launcher, its only writer, has exited for whatever reason (kill -9 too).
     * A launcher gone before its answer is treated like a killed JVM: the command stops and writes nowhere.
     */
    private void listen(Thread worker) {
        try (FileChannel control = openControl(file("control"));
                BufferedReader lines = new BufferedReader(new InputStreamReader(Channels.newInputStream(control),
                        StandardCharsets.US_ASCII))) {
            for (String line = lines.readLine(); !finished.get(); line = lines.readLine()) {
                if (line == null) {
                    out.close();
                    err.close();
                    finished.set(true);
                    worker.interrupt();
                    return;
                }
                Integer signal = SIGNALS.get(line.trim());
                if (signal != null) {
                    interrupted(signal);
                    worker.interrupt();
                    return;
                }
            }
        } catch (IOException e) {
            // the command finished and interrupted this thread
        }
    }

    /**
     * Opens a launcher's control FIFO for reading only, without waiting: such an open waits until the FIFO has
     * a writer, for ever if the launcher has gone meanwhile. A writer of the helper's own for the moment of the
     * open makes it return at once; once that one is closed, the launcher is the only writer, and its end (or
     * its being gone already) reads as end-of-file.
     */
    static FileChannel openControl(Path fifo) throws IOException {
        try (FileChannel ownWriter = FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            return FileChannel.open(fifo, StandardOpenOption.READ);
        }
    }

    /**
     * Whether a launcher's descriptor (its {@code /proc/PID/fd} entry) is a FIFO with a name. An anonymous
     * pipe ({@code pipe:[N]}) is not: opening one through {@code /proc} never waits for a reader.
     */
    static boolean namedFifo(Path descriptor) {
        try {
            if (Files.readSymbolicLink(descriptor).toString().startsWith("pipe:")) {
                return false;
            }
            return ((Integer) Files.getAttribute(descriptor, "unix:mode") & 0170000) == 0010000;
        } catch (IOException | UnsupportedOperationException e) {
            return false; // gone, or not a FIFO: its open fails or returns at once
        }
    }

    /**
     * Runs the command's interrupt actions, then ends it with 128 + the signal whatever they did: a JVM of
     * its own prints a failing shutdown hook's exception and exits all the same.
     */
    private void interrupted(int signal) {
        try {
            for (Runnable action : onInterrupt) {
                try {
                    action.run();
                } catch (RuntimeException | Error e) {
                    try {
                        err.write(("error: " + e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8));
                    } catch (IOException unreported) {
                        // the launcher's stderr is gone
                    }
                }
            }
        } finally {
            finish(ExitCode.ofSignal(signal));
        }
    }

    /**
     * Sends the exit status once; output written after it goes nowhere. Synchronized, so that a second
     * caller returns only once the status is sent (the listen thread interrupts the worker after it).
     */
    private synchronized void finish(int exit) {
        if (finished.compareAndSet(false, true)) {
            out.flush();
            err.flush();
            out.close();
            err.close();
            answer("exit " + exit);
        }
    }

    /** Why this launcher's command would not run here as in a JVM of its own; null when it would. */
    private String mismatch() {
        try {
            Path proc = Path.of("/proc", Long.toString(pid));
            workingDir = Files.readSymbolicLink(proc.resolve("cwd"));
            if (!workingDir.equals(Path.of("").toAbsolutePath())) {
                return "another working folder";
            }
            if (!umask(proc).equals(umask(Path.of("/proc/self")))) {
                return "another umask";
            }
            environment = environment(Files.readAllBytes(proc.resolve("environ")));
            Map<String, String> theirs = new HashMap<>(environment);
            Map<String, String> ours = new HashMap<>(System.getenv());
            for (String v : SHELL_OWN) {
                theirs.remove(v);
                ours.remove(v);
            }
            for (String v : PER_REQUEST) {
                theirs.remove(v);
                ours.remove(v);
            }
            return theirs.equals(ours) ? null : "another environment";
        } catch (IOException e) {
            return "the launcher cannot be read (" + e.getMessage() + ")";
        }
    }

    private static String umask(Path proc) throws IOException {
        return Files.readAllLines(proc.resolve("status")).stream().filter(l -> l.startsWith("Umask:")).findFirst()
                .orElse("");
    }

    static Map<String, String> environment(byte[] environ) {
        Map<String, String> env = new HashMap<>();
        for (String entry : nulSeparated(environ)) {
            int eq = entry.indexOf('=');
            if (eq > 0) {
                env.put(entry.substring(0, eq), entry.substring(eq + 1));
            }
        }
        return env;
    }

    static List<String> nulSeparated(byte[] bytes) {
        List<String> parts = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                parts.add(new String(bytes, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        return parts;
    }

    private void answer(String line) {
        try {
            status.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // the launcher is gone; nobody waits for the answer
        }
    }

    private Path file(String suffix) {
        return dir.resolve(id + "." + suffix);
    }

    private void cleanUp() {
        for (String suffix : List.of("taken", "status", "control", "cancelled")) {
            try {
                Files.deleteIfExists(file(suffix));
            } catch (IOException e) {
                // the folder goes with the helper
            }
        }
    }

    private static void close(AutoCloseable c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (Exception e) {
            // closing a FIFO end cannot lose data here
        }
    }

    /** Makes a FIFO; Java has no call for it, and the helper makes one per life. */
    static void mkfifo(Path path) throws IOException {
        Files.deleteIfExists(path);
        try {
            Process p = new ProcessBuilder("mkfifo", "-m", "600", path.toString()).redirectErrorStream(true).start();
            String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (p.waitFor() != 0) {
                throw new IOException("mkfifo " + path + " failed: " + said);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while making " + path);
        }
    }

    /** An output that can be shut for good: writes after that are dropped, as to a closed terminal. */
    static final class GatedOutputStream extends OutputStream {
        private final OutputStream target;
        private volatile boolean open = true;

        GatedOutputStream(OutputStream target) {
            this.target = target;
        }

        @Override
        public synchronized void write(int b) throws IOException {
            if (open) {
                target.write(b);
            }
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            if (open) {
                target.write(b, off, len);
            }
        }

        @Override
        public synchronized void flush() {
            if (open) {
                try {
                    target.flush();
                } catch (IOException e) {
                    open = false;
                }
            }
        }

        @Override
        public void close() {
            open = false;
            synchronized (this) {
                try {
                    target.close();
                } catch (IOException e) {
                    // the reader is gone
                }
            }
        }
    }
}
