package io.jkraft.machine.qemu;

import io.jkraft.common.GdbEndpoint;
import io.jkraft.machine.api.ConsoleTail;
import io.jkraft.machine.api.MachineExit;
import io.jkraft.machine.api.MachineExit.Outcome;
import io.jkraft.machine.api.VmmProcess;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A QEMU process for one machine, started so that it outlives jkraft: {@code setsid} gives it its own
 * session (no SIGHUP or terminal Ctrl-C from jkraft's), and a small shell waits for it and records its
 * exit status in the state folder. Everything is read back from files, so a later jkraft process can
 * {@link #attach} to a machine started by an earlier one.
 */
public final class QemuProcess implements VmmProcess {

    /** Generous: a QEMU on a loaded host answers in milliseconds, but nothing is lost by waiting for a slow one. */
    private static final Duration QMP_TIMEOUT = Duration.ofSeconds(15);
    /** How long the waiter may take to record QEMU's exit status on a loaded host. */
    private static final Duration WAITER_PATIENCE = Duration.ofSeconds(10);
    /** How long QEMU may take from announcing its end (SHUTDOWN) to exiting. */
    private static final Duration EXIT_PATIENCE = Duration.ofSeconds(10);
    /** A QEMU that stopped its guest for good answers quit at once; the signals follow after this. */
    private static final Duration STALLED_GRACE = Duration.ofSeconds(5);
    private static final Duration POLL = Duration.ofMillis(10);

    private final QemuStateDir state;
    private final long pid;
    private final GuestConsoleHints.Context hints;
    /** QEMU's second monitor, connected before the guest first ran, for {@link #follow}; null when not held. */
    private RunStateWatch watch;

    QemuProcess(QemuStateDir state, long pid, GuestConsoleHints.Context hints, RunStateWatch watch) {
        this.state = state;
        this.pid = pid;
        this.hints = Objects.requireNonNull(hints, "hints");
        this.watch = watch;
    }

    private ExitReading reading() {
        return new ExitReading(state, hints);
    }

    /** A handle on a machine started earlier, possibly by another jkraft process. */
    public static QemuProcess attach(QemuStateDir state, GuestConsoleHints.Context hints) {
        return new QemuProcess(state, recordedPid(state), hints, null);
    }

    /** Lets go of QEMU's second monitor (a detached run: nobody follows the machine from here). */
    @Override
    public void release() {
        closeQuietly(watch);
        watch = null;
    }

    static void closeQuietly(RunStateWatch watch) {
        if (watch != null) {
            try {
                watch.close();
            } catch (IOException e) {
                // Closing our end of a socket; nothing to do about a failure.
            }
        }
    }

    public QemuStateDir state() {
        return state;
    }

    /** QEMU's process id, or -1 when it was never recorded. */
    @Override
    public long pid() {
        return pid;
    }

    /** Whether QEMU is still running. */
    @Override
    public boolean isRunning() {
        return !Files.exists(state.exitCodeFile()) && qemuHandle().isPresent();
    }

    /** A QMP connection; close it when done, as QEMU serves one client at a time. */
    public QmpClient qmp() throws IOException {
        return qmp(QMP_TIMEOUT);
    }

    @Override
    public void pause() throws IOException {
        try (QmpClient q = qmp()) {
            q.stop();
        }
    }

    @Override
    public void resume() throws IOException {
        try (QmpClient q = qmp()) {
            q.cont();
        }
    }

    /** Through the human monitor's {@code gdbserver}, which answers a failure to listen with text, not an error. */
    @Override
    public void openGdbStub(GdbEndpoint endpoint) throws IOException {
        try (QmpClient q = qmp()) {
            String answer = q.humanMonitor("gdbserver " + endpoint.qemuDevice());
            if (answer.contains("Could not")) {
                throw new IOException("gdbserver: " + answer.strip());
            }
        }
    }

    private QmpClient qmp(Duration timeout) throws IOException {
        return QmpClient.connect(reach(QemuStateDir.QMP_SOCKET), timeout, this::isRunning);
    }

    /** A short path to one of QEMU's sockets, through QEMU's working folder (or its waiter's). */
    private Path reach(String socket) throws IOException {
        long through = pid > 0 ? pid : wrapperPid();
        if (through <= 0) {
            throw new java.nio.file.NoSuchFileException(state.dir().resolve(socket).toString(), null,
                    "QEMU's pid was never recorded");
        }
        return state.reach(through, socket);
    }

    /** The console log, then, for a guest QEMU stopped for good, QEMU's own account of it. */
    @Override
    public void copyLogs(OutputStream out, boolean follow) throws IOException {
        if (!Files.exists(state.consoleLog())) {
            return;
        }
        new ConsoleTail(state.consoleLog()).follow(out, 0, () -> !follow || !isRunning());
        StoppedGuestAccount.copy(state, out);
    }

    /**
     * QEMU's logs are read first, and the monitor asked only once they say QEMU stopped the guest: a monitor
     * command sent to a guest that might end under it can hang QEMU 7.2 at exit.
     */
    @Override
    public Optional<MachineExit> stalled(Duration patience) {
        if (!StoppedGuestAccount.saysStopped(state)) {
            return Optional.empty();
        }
        Optional<String> qemuState = stalledState(patience);
        if (qemuState.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(markStalled(qemuState.get()));
        } catch (IOException e) {
            // The folder went with the machine (removed meanwhile): nothing is stalled any more.
            return Optional.empty();
        }
    }

    /**
     * The run state in which QEMU stopped the guest for good (internal-error, guest-panicked, ...), asked over
     * the monitor within {@code patience}; empty while the guest can go on, or when QEMU does not answer (a
     * busy monitor is no reason to call a machine stalled).
     */
    Optional<String> stalledState(Duration patience) {
        if (!isRunning()) {
            return Optional.empty();
        }
        try (QmpClient q = qmp(patience)) {
            String status = q.queryStatus();
            return RunStateWatch.forGood(status) ? Optional.of(status) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * Ends a QEMU that stopped its guest for good in {@code qemuState}, recording why first (QEMU's own
     * words from its log), so that the ending reads as that and not as a power-off.
     */
    public MachineExit endStalled(String qemuState) throws IOException {
        markStalled(qemuState);
        return stop(STALLED_GRACE);
    }

    /**
     * Records that QEMU stopped the guest for good in {@code qemuState}, before QEMU is ended, and returns
     * the ending as it will then read ({@link MachineExit#vmmExitCode()} -1: QEMU has not exited yet).
     */
    MachineExit markStalled(String qemuState) throws IOException {
        Path tmp = state.dir().resolve(state.guestStoppedFile().getFileName() + ".tmp");
        Files.writeString(tmp, qemuState + "\n");
        Files.move(tmp, state.guestStoppedFile(), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return reading().stalledExit(-1, qemuState, ExitReading.readTail(state.consoleLog()));
    }

    /** How the machine ended, or empty while it runs. */
    @Override
    public Optional<MachineExit> exit() throws IOException {
        if (Files.exists(state.exitCodeFile())) {
            return Optional.of(reading().classify(Integer.parseInt(Files.readString(state.exitCodeFile()).strip())));
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
    @Override
    public MachineExit follow(OutputStream out) throws IOException {
        String[] stalled = new String[1];
        boolean[] hungAtExit = new boolean[1];
        RunStateWatch w = watch;
        try {
            new ConsoleTail(state.consoleLog()).follow(out, 0, () -> {
                if (stalled[0] == null && w != null) {
                    stalled[0] = poll(w);
                    hungAtExit[0] = w.endingFor(EXIT_PATIENCE) && isRunning();
                }
                return stalled[0] != null || hungAtExit[0] || !isRunning();
            });
        } finally {
            release();
        }
        if (stalled[0] != null) {
            return endStalled(stalled[0]);
        }
        if (hungAtExit[0]) {
            // QEMU announced its end and never got there (QEMU 7.2 can hang in its exit): the guest is done.
            qemuHandle().ifPresent(ProcessHandle::destroyForcibly);
            awaitExit(Duration.ofSeconds(5));
            return new MachineExit(-1, Outcome.FAILED, "QEMU announced the guest's end (SHUTDOWN) but did not exit within "
                    + EXIT_PATIENCE.toSeconds() + " s; jkraft killed it", "its messages are in " + state.qemuLog());
        }
        return awaitExit(WAITER_PATIENCE).orElseThrow(() -> new IOException("QEMU " + pid + " ended, but its waiter "
                + "recorded no exit status within " + WAITER_PATIENCE.toSeconds() + " s (" + state.exitCodeFile() + ")"));
    }

    /**
     * For a run that is left running (detached): waits until the guest's first console output, its end, or
     * {@code limit}, watching meanwhile for QEMU stopping it for good. Returns how it ended when QEMU did
     * (QEMU has then been ended), else empty. The second monitor is let go either way.
     */
    @Override
    public Optional<MachineExit> watchFirstOutput(Duration limit) throws IOException {
        RunStateWatch w = watch;
        String stalled = null;
        long deadline = System.nanoTime() + limit.toNanos();
        try {
            while (w != null && stalled == null && isRunning() && System.nanoTime() < deadline
                    && (!Files.exists(state.consoleLog()) || Files.size(state.consoleLog()) == 0)) {
                stalled = poll(w);
                if (stalled == null) {
                    sleep(Duration.ofMillis(2));
                }
            }
        } finally {
            release();
        }
        return stalled == null ? Optional.empty() : Optional.of(endStalled(stalled));
    }

    /** A watch that fails has lost QEMU, which has then ended: its exit says how. */
    private static String poll(RunStateWatch watch) {
        try {
            return watch.poll().orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Stops the machine: QMP quit, then SIGTERM and SIGKILL if QEMU does not end within {@code grace}.
     * The stop is recorded first so that the ending reads as {@link Outcome#STOPPED}.
     */
    @Override
    public MachineExit stop(Duration grace) throws IOException {
        if (isRunning()) {
            // Only a running machine: marking one that already ended would hide how it ended.
            Files.writeString(state.stopRequestedFile(), "");
            try (QmpClient qmp = qmp()) {
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
        long wrapper = wrapperPid();
        return wrapper > 0 && ProcessHandle.of(wrapper).map(ProcessHandle::isAlive).orElse(false);
    }

    private long wrapperPid() {
        try {
            return Long.parseLong(Files.readString(state.wrapperPidFile()).strip());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    static long readPid(QemuStateDir state) throws IOException {
        return Long.parseLong(Files.readString(state.pidFile()).strip());
    }

    /** QEMU's pid, or -1 once QEMU has ended: it removes its pid file on exit, which can be any moment. */
    static long recordedPid(QemuStateDir state) {
        try {
            return readPid(state);
        } catch (IOException | NumberFormatException e) {
            return -1;
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
