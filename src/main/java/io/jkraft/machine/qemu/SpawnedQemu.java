package io.jkraft.machine.qemu;

import io.jkraft.common.Invocation;
import io.jkraft.common.UserException;
import io.jkraft.machine.api.VmmStart;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A QEMU just started for a machine, still initialising or waiting (paused) for its monitor's {@code cont}.
 * {@code setsid} gives it its own session (no SIGHUP or terminal Ctrl-C from jkraft's), and a small shell
 * waits for it and records its exit status in the state folder; {@link #finish} then makes it a
 * {@link QemuProcess}.
 */
public record SpawnedQemu(QemuStateDir state, Process wrapper, GuestConsoleHints.Context hints, boolean paused,
        Duration startTimeout) implements VmmStart {
    /**
     * Waits until QEMU answers over QMP and resumes it, unless it is to stay {@code paused}. Throws a
     * {@link UserException} with QEMU's own message when it refused to start.
     */
    @Override
    public QemuProcess finish() throws IOException {
        RunStateWatch watch = null;
        BooleanSupplier starting = () -> wrapper.isAlive() && !Files.exists(state.exitCodeFile());
        try (QmpClient qmp = QmpClient.connect(state.reach(wrapper.pid(), QemuStateDir.QMP_SOCKET), startTimeout,
                starting)) {
            qmp.queryStatus();
            // Before the guest runs: QEMU 7.2 can hang at exit when a monitor command (the handshake
            // included) is in flight as the guest ends, and a unikernel may end within milliseconds.
            watch = RunStateWatch.open(state.reach(wrapper.pid(), QemuStateDir.EVENTS_SOCKET), startTimeout,
                    starting);
            if (!paused) {
                qmp.cont();
            }
        } catch (IOException e) {
            QemuProcess.closeQuietly(watch);
            return endedOrFailed(state, wrapper, hints, e);
        }
        return new QemuProcess(state, QemuProcess.recordedPid(state), hints, watch);
    }

    /** Ends QEMU (which never ran the guest) and its waiter, for a start that is given up. */
    @Override
    public void abandon() {
        // Until QEMU has written its pid file, the waiter may still be about to start it.
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (wrapper.isAlive() && QemuProcess.recordedPid(state) <= 0 && System.nanoTime() < deadline) {
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
        long qemu = QemuProcess.recordedPid(state);
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

    /**
     * Runs QEMU ({@code "$@"}) with its output in qemu.log, then writes its status atomically so that a
     * reader never sees a half-written exit-code file. A machine on a network also gets its port forwarders
     * ({@code $2} socat processes, two addresses each, before QEMU's argv), started before QEMU and ended after
     * it, and its taps ({@code $3} names) removed once QEMU ended: so they last exactly as long as the machine,
     * whoever watches it or not. Each forwarder's lock file ({@code -L}, in the state folder) puts the machine's
     * marker in its argv ({@code VmmMarker}), so that one left by a killed waiter is found and ended.
     */
    private static final String WRAPPER = """
            state=$1; forwarders=$2; taps=$3; shift 3
            echo $$ >"$state/wrapper.pid"
            pids=; n=0
            while [ "$n" -lt "$forwarders" ]; do
              n=$((n + 1))
              rm -f "$state/forward-$n.lock"
              socat -L "$state/forward-$n.lock" "$1" "$2" </dev/null >>"$state/forward.log" 2>&1 &
              pids="$pids $!"; shift 2
            done
            names=; n=0
            while [ "$n" -lt "$taps" ]; do n=$((n + 1)); names="$names $1"; shift; done
            "$@" </dev/null >"$state/qemu.log" 2>&1
            status=$?
            [ -z "$pids" ] || kill $pids 2>/dev/null
            for tap in $names; do ip link del "$tap" 2>/dev/null; done
            echo $status >"$state/exit-code.tmp" && mv -f "$state/exit-code.tmp" "$state/exit-code"
            """;

    /** Starts QEMU (created paused) and returns at once; {@link #finish} then waits for its monitor. */
    public static SpawnedQemu spawn(QemuCommand command, QemuStateDir state, GuestConsoleHints.Context hints,
            boolean paused, Duration startTimeout, Map<String, String> env) throws IOException {
        Files.createDirectories(state.dir());
        for (Path stale : List.of(state.exitCodeFile(), state.stopRequestedFile(), state.guestStoppedFile(),
                state.guestErrorsLog(), state.pidFile(),
                state.qemuLog(), state.consoleLog(), state.wrapperPidFile(), state.dir().resolve("exit-code.tmp"))) {
            Files.deleteIfExists(stale);
        }
        List<String> cmd = new ArrayList<>(List.of("setsid", "sh", "-c", WRAPPER, "jkraft-qemu",
                state.dir().toString(), Integer.toString(command.forwarders().size()),
                Integer.toString(command.taps().size())));
        if (!command.forwarders().isEmpty() && new Invocation(state.dir(), env).onPath("socat").isEmpty()) {
            throw new UserException("publishing ports (-p) of a machine on a network needs socat, which is not on PATH",
                    "install socat (Debian: apt-get install socat)");
        }
        for (QemuCommand.Forwarder f : command.forwarders()) {
            cmd.add(f.listen());
            cmd.add(f.connect());
        }
        cmd.addAll(command.taps());
        cmd.addAll(command.argv());
        try {
            // QEMU works in the state folder and binds its sockets there by their bare names (QemuStateDir#reach).
            // The command's environment, with setsid found on its PATH (the JDK would search the JVM's own).
            Process wrapper = new Invocation(state.dir(), env).start(new ProcessBuilder(cmd).directory(state.dir().toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD));
            return new SpawnedQemu(state, wrapper, hints, paused, startTimeout);
        } catch (IOException e) {
            throw new UserException("cannot start QEMU: " + e.getMessage(),
                    "setsid (util-linux) and sh must be on PATH", e);
        }
    }

    private static QemuProcess endedOrFailed(QemuStateDir state, Process wrapper, GuestConsoleHints.Context hints,
            IOException cause) {
        try {
            if (!wrapper.waitFor(2, TimeUnit.SECONDS)) {
                // Up but not answering: do not leave it running unseen.
                if (Files.exists(state.pidFile())) {
                    ProcessHandle.of(QemuProcess.readPid(state)).ifPresent(ProcessHandle::destroyForcibly);
                }
                throw new UserException("QEMU did not come up: " + cause.getMessage(), "see " + state.qemuLog(), cause);
            }
            boolean refused = Files.readString(state.exitCodeFile()).strip().equals("1")
                    && (!Files.exists(state.consoleLog()) || Files.size(state.consoleLog()) == 0);
            if (!refused) {
                return new QemuProcess(state, QemuProcess.recordedPid(state), hints, null);
            }
            String log = ExitReading.readTail(state.qemuLog()).strip();
            throw new UserException("QEMU refused to start: " + (log.isEmpty() ? cause.getMessage() : log),
                    "its full output is in " + state.qemuLog(), cause);
        } catch (IOException e) {
            throw new UserException("QEMU did not start: " + cause.getMessage(), null, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserException("interrupted while starting QEMU", null, cause);
        }
    }
}
