package io.jkraft.startup;

import io.jkraft.cli.CliContext;
import io.jkraft.cli.ErrorReport;
import io.jkraft.cli.Terminal;
import io.jkraft.common.ExitCode;
import io.jkraft.common.Invocation;
import io.jkraft.machine.store.MachineStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * One command the launcher hands to the {@link ResidentHelper}. The protocol, all in the helper's folder
 * (mode 0700), is what bash can do with one {@code mkfifo} and, for output to a file or socket, a {@code cat}:
 * <ol>
 *   <li>The launcher makes the FIFOs {@code ID.status} and {@code ID.control} ({@code ID} is its pid, a dash and
 *       a random number), and {@code ID.out} and {@code ID.err} for the streams it copies itself (see
 *       {@link LauncherOutput}), opens them for reading and writing, starts the copies, and writes its arguments,
 *       NUL-terminated, to {@code ID.args}.</li>
 *   <li>It writes {@code ID PID OUT ERR} to the helper's {@code requests} FIFO (one short line, so the write is
 *       atomic among several launchers); OUT and ERR are {@link LauncherOutput}'s letters.</li>
 *   <li>The helper claims the request by renaming {@code ID.args} to {@code ID.taken}; a launcher that heard
 *       nothing for a while cancels by renaming it to {@code ID.cancelled}, so exactly one of them wins and a
 *       command never runs twice.</li>
 *   <li>The helper answers on {@code ID.status}: {@code refused restart REASON} (a umask or a JVM-level variable
 *       of its own: the launcher runs the command itself and starts a helper of its own), {@code refused direct
 *       REASON} (the launcher runs it itself: a command the helper does not serve, or a launcher in another
 *       network namespace or with other capabilities, for whom the helper's network operations would act in the
 *       wrong place), or {@code accepted}, once it holds the launcher's outputs; then the
 *       command runs in the launcher's working folder with its environment, and its output goes to the
 *       launcher's own descriptors; last, once that output is closed, {@code exit N}.</li>
 *   <li>A signal the launcher receives goes to {@code ID.control} as {@code INT}, {@code TERM} or
 *       {@code HUP}: the command's interrupt actions run, as a JVM's shutdown hooks would, and it ends
 *       with 128 + the signal's number.</li>
 * </ol>
 */
final class HelperRequest {
    private static final Pattern LINE = Pattern.compile("(\\d{1,10}-\\d{1,10}) (\\d{1,10}) ([tdpf]) ([tdpfo])");
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
    private final char outKind;
    private final char errKind;
    private final AtomicBoolean finished = new AtomicBoolean();
    private final List<Runnable> onInterrupt = new CopyOnWriteArrayList<>();
    /** Not a FileChannel: an interrupt meant for the command would close it, and the exit status with it. */
    private RandomAccessFile status;
    private LauncherOutput out;
    private LauncherOutput err;

    private HelperRequest(Path dir, String id, long pid, char outKind, char errKind) {
        this.dir = dir;
        this.id = id;
        this.pid = pid;
        this.outKind = outKind;
        this.errKind = errKind;
    }

    /** A request line, or null when it is not one (nothing else is ever written there by jkraft). */
    static HelperRequest parse(Path dir, String line) {
        var m = LINE.matcher(line);
        if (!m.matches()) {
            return null;
        }
        return new HelperRequest(dir, m.group(1), Long.parseLong(m.group(2)), m.group(3).charAt(0),
                m.group(4).charAt(0));
    }

    String id() {
        return id;
    }

    /** Claims, checks and runs the command, answering on the launcher's FIFOs. */
    void serve(Function<Path, MachineStore> stores) {
        List<String> args;
        try {
            Files.move(file("args"), file("taken"), StandardCopyOption.ATOMIC_MOVE);
            args = LauncherProcess.nulSeparated(Files.readAllBytes(file("taken")));
            // Read and write: opening a FIFO so never waits, whatever the launcher does.
            status = new RandomAccessFile(file("status").toFile(), "rw");
        } catch (IOException e) {
            // NoSuchFileException: the launcher cancelled it (renamed the arguments away) first
            cleanUp();
            return;
        }
        try {
            if (!CommandTable.served(args)) {
                answer("refused direct the resident helper does not serve this command");
                return;
            }
            LauncherProcess launcher = new LauncherProcess(pid);
            Invocation invocation;
            try {
                invocation = launcher.invocation();
                String elsewhere = launcher.placeMismatch();
                if (elsewhere != null) {
                    answer("refused direct the launcher runs with " + elsewhere);
                    return;
                }
                String mismatch = launcher.mismatch(invocation.environment(), System.getenv());
                if (mismatch != null) {
                    answer("refused restart " + mismatch);
                    return;
                }
            } catch (IOException e) {
                answer("refused direct the launcher cannot be read (" + e.getMessage() + ")");
                return;
            }
            try {
                Path fd = Path.of("/proc", Long.toString(pid), "fd");
                out = LauncherOutput.open(outKind, fd.resolve(STDOUT_COPY), file("out"));
                err = errKind == 'o' ? out : LauncherOutput.open(errKind, fd.resolve(STDERR_COPY), file("err"));
            } catch (IOException e) {
                answer("refused direct the standard output or error cannot be opened (" + e.getMessage() + ")");
                return;
            }
            answer("accepted");
            run(args, invocation, stores);
        } finally {
            // An interrupt meant for the command must not cut the clean-up short.
            Thread.interrupted();
            if (out != null) {
                // a refusal after out was opened: the launcher's copy of it must see its end
                out.close();
                err.close();
            }
            close(status);
            cleanUp();
        }
    }

    private void run(List<String> args, Invocation invocation, Function<Path, MachineStore> stores) {
        Thread worker = Thread.currentThread();
        Thread control = Thread.ofPlatform().daemon().name("jkraft-helper-control-" + id).start(() -> listen(worker));
        Terminal terminal = new Terminal(new PrintWriter(out, true, StandardCharsets.UTF_8),
                new PrintWriter(err, true, StandardCharsets.UTF_8), LauncherOutput.terminal(outKind), out);
        int exit;
        try {
            exit = Main.execute(args.toArray(String[]::new), new CliContext(terminal, invocation,
                    action -> {
                        onInterrupt.add(action);
                        return () -> onInterrupt.remove(action);
                    }, stores));
        } catch (RuntimeException | Error e) {
            exit = new ErrorReport(terminal).report(e instanceof Exception x ? x : new RuntimeException(e), false);
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
        try (FileChannel control = Fifo.openForReading(file("control"));
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
     * Sends the exit status once, after closing the outputs: the launcher's copies then reach their end, and it
     * exits once they have written everything. Output written after it goes nowhere. Synchronized, so that a
     * second caller returns only once the status is sent (the listen thread interrupts the worker after it).
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
        for (String suffix : List.of("taken", "status", "control", "out", "err", "cancelled")) {
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
}
