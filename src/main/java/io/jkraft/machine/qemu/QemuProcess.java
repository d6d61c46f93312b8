package io.jkraft.machine.qemu;

import io.jkraft.common.UserException;
import io.jkraft.machine.qemu.MachineExit.Outcome;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A QEMU process for one machine, started so that it outlives jkraft: {@code setsid} gives it its own
 * session (no SIGHUP or terminal Ctrl-C from jkraft's), and a small shell waits for it and records its
 * exit status in the state folder. Everything is read back from files, so a later jkraft process can
 * {@link #attach} to a machine started by an earlier one.
 */
public final class QemuProcess {

    /**
     * Runs QEMU ({@code "$@"}) with its output in qemu.log, then writes its status atomically so that a
     * reader never sees a half-written exit-code file.
     */
    private static final String WRAPPER = """
            state=$1; shift
            echo $$ >"$state/wrapper.pid"
            "$@" </dev/null >"$state/qemu.log" 2>&1
            echo $? >"$state/exit-code.tmp" && mv -f "$state/exit-code.tmp" "$state/exit-code"
            """;
    private static final Duration QMP_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration POLL = Duration.ofMillis(10);
    private static final int MAX_CONSOLE_BYTES = 1 << 20;

    private final QemuStateDir state;
    private final long pid;
    private final GuestConsoleHints.Context hints;

    private QemuProcess(QemuStateDir state, long pid, GuestConsoleHints.Context hints) {
        this.state = state;
        this.pid = pid;
        this.hints = Objects.requireNonNull(hints, "hints");
    }

    /**
     * Starts QEMU (created paused, see {@link QemuCommand}) and returns once it answers over QMP and has
     * been resumed, unless {@code paused}. Throws a {@link UserException} with QEMU's own message when it
     * refuses to start.
     */
    public static QemuProcess start(QemuCommand command, QemuStateDir state, GuestConsoleHints.Context hints,
            boolean paused, Duration startTimeout) throws IOException {
        return spawn(command, state, hints).finish(paused, startTimeout);
    }

    /** Starts QEMU (created paused) and returns at once; {@link Spawned#finish} then waits for its monitor. */
    public static Spawned spawn(QemuCommand command, QemuStateDir state, GuestConsoleHints.Context hints)
            throws IOException {
        Files.createDirectories(state.dir());
        for (Path stale : List.of(state.exitCodeFile(), state.stopRequestedFile(), state.pidFile(),
                state.qemuLog(), state.consoleLog(), state.wrapperPidFile(), state.dir().resolve("exit-code.tmp"))) {
            Files.deleteIfExists(stale);
        }
        List<String> cmd = new ArrayList<>(List.of("setsid", "sh", "-c", WRAPPER, "jkraft-qemu",
                state.dir().toString()));
        cmd.addAll(command.argv());
        try {
            Process wrapper = new ProcessBuilder(cmd)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            return new Spawned(state, wrapper, hints);
        } catch (IOException e) {
            throw new UserException("cannot start QEMU: " + e.getMessage(),
                    "setsid (util-linux) and sh must be on PATH", e);
        }
    }

    /** A QEMU just started, still initialising or waiting (paused) for its monitor's {@code cont}. */
    public record Spawned(QemuStateDir state, Process wrapper, GuestConsoleHints.Context hints) {
        /**
         * Waits until QEMU answers over QMP and resumes it, unless {@code paused}. Throws a
         * {@link UserException} with QEMU's own message when it refused to start.
         */
        public QemuProcess finish(boolean paused, Duration startTimeout) throws IOException {
            try (QmpClient qmp = QmpClient.connect(state.qmpSocket(), startTimeout,
                    () -> wrapper.isAlive() && !Files.exists(state.exitCodeFile()))) {
                qmp.queryStatus();
                if (!paused) {
                    qmp.cont();
                }
            } catch (IOException e) {
                return endedOrFailed(state, wrapper, hints, e);
            }
            return new QemuProcess(state, recordedPid(state), hints);
        }

        /** Ends QEMU (which never ran the guest) and its waiter, for a start that is given up. */
        public void abandon() {
            // Until QEMU has written its pid file, the waiter may still be about to start it.
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (wrapper.isAlive() && recordedPid(state) <= 0 && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            // The waiter first, so that it does not write an exit code into a folder being removed; then
            // QEMU and whatever else it started, waiting until they are gone.
            List<ProcessHandle> all = new ArrayList<>(wrapper.descendants().toList());
            long qemu = recordedPid(state);
            if (qemu > 0) {
                ProcessHandle.of(qemu).ifPresent(all::add);
            }
            wrapper.destroyForcibly();
            all.forEach(ProcessHandle::destroyForcibly);
            try {
                wrapper.waitFor(5, TimeUnit.SECONDS);
                for (ProcessHandle p : all) {
                    p.onExit().get(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                // Left to the reconciler, which finds it by the folder in its argv.
            }
        }
    }

    /** A handle on a machine started earlier, possibly by another jkraft process. */
    public static QemuProcess attach(QemuStateDir state, GuestConsoleHints.Context hints) {
        return new QemuProcess(state, recordedPid(state), hints);
    }

    public QemuStateDir state() {
        return state;
    }

    /** QEMU's process id, or -1 when it was never recorded. */
    public long pid() {
        return pid;
    }

    /** Whether QEMU is still running. */
    public boolean isRunning() {
        return !Files.exists(state.exitCodeFile()) && qemuHandle().isPresent();
    }

    /** A QMP connection; close it when done, as QEMU serves one client at a time. */
    public QmpClient qmp() throws IOException {
        return QmpClient.connect(state.qmpSocket(), QMP_TIMEOUT, this::isRunning);
    }

    /** How the machine ended, or empty while it runs. */
    public Optional<MachineExit> exit() throws IOException {
        if (Files.exists(state.exitCodeFile())) {
            return Optional.of(classify(Integer.parseInt(Files.readString(state.exitCodeFile()).strip())));
        }
        if (qemuHandle().isPresent() || wrapperAlive()) {
            return Optional.empty();
        }
        if (Files.exists(state.exitCodeFile())) {
            // Written between the first check and the wrapper's end.
            return exit();
        }
        return Optional.of(new MachineExit(-1, Outcome.LOST, "QEMU is gone and its exit status was not recorded",
                null));
    }

    /** Waits up to {@code timeout} for the machine to end. */
    public Optional<MachineExit> awaitExit(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Optional<MachineExit> exit;
        while ((exit = exit()).isEmpty() && System.nanoTime() < deadline) {
            sleep(POLL);
        }
        return exit;
    }

    /**
     * Foreground mode: copies the guest console to {@code out} as it grows until QEMU ends, then returns
     * how it ended.
     */
    public MachineExit follow(OutputStream out) throws IOException {
        new ConsoleTail(state.consoleLog()).follow(out, 0, () -> !isRunning());
        return awaitExit(Duration.ofSeconds(2)).orElseThrow(() -> new IOException("QEMU " + pid + " has not ended"));
    }

    /**
     * Stops the machine: QMP quit, then SIGTERM and SIGKILL if QEMU does not end within {@code grace}.
     * The stop is recorded first so that the ending reads as {@link Outcome#STOPPED}.
     */
    public MachineExit stop(Duration grace) throws IOException {
        if (isRunning()) {
            // Only a running machine: marking one that already ended would hide how it ended.
            Files.writeString(state.stopRequestedFile(), "");
            try (QmpClient qmp = QmpClient.connect(state.qmpSocket(), QMP_TIMEOUT, this::isRunning)) {
                qmp.quit();
            } catch (IOException e) {
                // A wedged or half-dead QEMU: the signals below still end it.
            }
        }
        Optional<MachineExit> exit = awaitExit(grace);
        if (exit.isEmpty()) {
            qemuHandle().ifPresent(ProcessHandle::destroy);
            exit = awaitExit(grace);
        }
        if (exit.isEmpty()) {
            qemuHandle().ifPresent(ProcessHandle::destroyForcibly);
            exit = awaitExit(Duration.ofSeconds(5));
        }
        return exit.orElseThrow(() -> new IOException("QEMU " + pid + " did not end"));
    }

    private MachineExit classify(int code) throws IOException {
        String console = readTail(state.consoleLog());
        if (Files.exists(state.stopRequestedFile())) {
            return new MachineExit(code, Outcome.STOPPED, "stopped", null);
        }
        String hint = GuestConsoleHints.hint(console, hints).orElse(null);
        if (code == QemuCommand.GUEST_CRASH_STATUS) {
            return new MachineExit(code, Outcome.CRASHED, "the guest crashed", hint);
        }
        List<String> qemuLines = readTail(state.qemuLog()).lines().map(String::strip).filter(l -> !l.isEmpty())
                .toList();
        Optional<String> signalled = qemuLines.stream().filter(l -> l.contains("terminating on signal")).findFirst();
        if (code == 0 && signalled.isPresent()) {
            // QEMU exits 0 after SIGTERM/SIGINT/SIGHUP: someone other than jkraft stopped it.
            return new MachineExit(code, Outcome.FAILED, signalled.get(), null);
        }
        if (code == 0 || code == QemuCommand.GUEST_POWER_OFF_STATUS) {
            Optional<String> crash = GuestConsoleHints.crashLine(console);
            return crash.isPresent()
                    ? new MachineExit(code, Outcome.CRASHED, "the guest crashed: " + crash.get(), hint)
                    : new MachineExit(code, Outcome.POWERED_OFF, "the guest powered off", null);
        }
        if (code > 128) {
            return new MachineExit(code, Outcome.FAILED, "QEMU was killed by signal " + (code - 128), hint);
        }
        return new MachineExit(code, Outcome.FAILED,
                "QEMU exited with " + code + ": " + (qemuLines.isEmpty() ? "no message" : qemuLines.getFirst()), hint);
    }

    /** QEMU, if it still runs under the recorded pid; the command check guards against a reused pid. */
    private Optional<ProcessHandle> qemuHandle() {
        if (pid <= 0) {
            return Optional.empty();
        }
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .filter(h -> h.info().command().map(c -> c.contains("qemu")).orElse(true));
    }

    /** The wrapper outlives QEMU by the moment it takes to record the exit status. */
    private boolean wrapperAlive() {
        try {
            long wrapper = Long.parseLong(Files.readString(state.wrapperPidFile()).strip());
            return ProcessHandle.of(wrapper).map(ProcessHandle::isAlive).orElse(false);
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }

    private static QemuProcess endedOrFailed(QemuStateDir state, Process wrapper, GuestConsoleHints.Context hints,
            IOException cause) {
        try {
            if (!wrapper.waitFor(2, TimeUnit.SECONDS)) {
                // Up but not answering: do not leave it running unseen.
                if (Files.exists(state.pidFile())) {
                    ProcessHandle.of(readPid(state)).ifPresent(ProcessHandle::destroyForcibly);
                }
                throw new UserException("QEMU did not come up: " + cause.getMessage(), "see " + state.qemuLog(), cause);
            }
            boolean refused = Files.readString(state.exitCodeFile()).strip().equals("1")
                    && (!Files.exists(state.consoleLog()) || Files.size(state.consoleLog()) == 0);
            if (!refused) {
                return new QemuProcess(state, recordedPid(state), hints);
            }
            String log = readTail(state.qemuLog()).strip();
            throw new UserException("QEMU refused to start: " + (log.isEmpty() ? cause.getMessage() : log),
                    "its full output is in " + state.qemuLog(), cause);
        } catch (IOException e) {
            throw new UserException("QEMU did not start: " + cause.getMessage(), null, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserException("interrupted while starting QEMU", null, cause);
        }
    }

    private static long readPid(QemuStateDir state) throws IOException {
        return Long.parseLong(Files.readString(state.pidFile()).strip());
    }

    /** QEMU's pid, or -1 once QEMU has ended: it removes its pid file on exit, which can be any moment. */
    private static long recordedPid(QemuStateDir state) {
        try {
            return readPid(state);
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** The last megabyte of a log: enough for hints, bounded for a guest that printed for days. */
    private static String readTail(Path file) throws IOException {
        if (!Files.exists(file)) {
            return "";
        }
        try (var channel = java.nio.channels.FileChannel.open(file)) {
            long size = channel.size();
            long from = Math.max(0, size - MAX_CONSOLE_BYTES);
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate((int) (size - from));
            channel.read(buffer, from);
            return new String(buffer.array(), 0, buffer.position(), StandardCharsets.ISO_8859_1);
        }
    }

    private static void sleep(Duration pause) throws IOException {
        try {
            Thread.sleep(pause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for QEMU");
        }
    }
}
