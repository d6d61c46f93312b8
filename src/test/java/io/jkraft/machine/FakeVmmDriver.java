package io.jkraft.machine;

import io.jkraft.common.GdbEndpoint;
import io.jkraft.common.Platform;
import io.jkraft.common.UserException;
import io.jkraft.machine.api.MachineExit;
import io.jkraft.machine.api.MachineExit.Outcome;
import io.jkraft.machine.api.MachineSpec;
import io.jkraft.machine.api.VmmDriver;
import io.jkraft.machine.api.VmmPlan;
import io.jkraft.machine.api.VmmProcess;
import io.jkraft.machine.api.VmmStart;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A stand-in VMM driver for testing {@link MachineService} in milliseconds: its "VMM" is a real shell process
 * that follows the marker convention (its state folder in its argv, {@code exit-code} written by rename on its
 * end), so that reconciliation, stale-process scans and removal work on it as on QEMU. The guest's life is
 * scripted through files in the state folder: {@code end} (an exit status to end with), {@code stop} (a stop
 * request). Every call is logged in {@link #calls}, with what the store said at that moment where it matters.
 */
final class FakeVmmDriver implements VmmDriver {
    private static final String SCRIPT = """
            dir=$1
            echo booted >"$dir/console.log"
            while [ ! -e "$dir/end" ] && [ ! -e "$dir/stop" ]; do sleep 0.01; done
            if [ -e "$dir/stop" ]; then code=143; else code=$(cat "$dir/end"); fi
            echo "$code" >"$dir/exit-code.tmp" && mv -f "$dir/exit-code.tmp" "$dir/exit-code"
            """;

    /** A step at which the driver can be made to fail. */
    enum Step { PLAN, SPAWN, FINISH, PAUSE, GDB }

    final List<String> calls = new CopyOnWriteArrayList<>();
    private final Platform platform;
    private final Consumer<String> onCall;
    private volatile Step failAt;
    private volatile int retryOnExitCode = -1;

    /** @param onCall runs at each call, with its name: a test looks at the store there */
    FakeVmmDriver(Platform platform, Consumer<String> onCall) {
        this.platform = platform;
        this.onCall = onCall;
    }

    void failAt(Step step) {
        this.failAt = step;
    }

    /** The first start ending with this exit status is retried once (as QEMU's driver retries KVM under TCG). */
    void retryOnExit(int exitCode) {
        this.retryOnExitCode = exitCode;
    }

    private void call(String name, Step step) throws IOException {
        calls.add(name);
        onCall.accept(name);
        if (failAt == step) {
            throw new IOException("the fake VMM fails at " + name);
        }
    }

    record Plan(MachineSpec spec, Path stateDir, boolean startPaused, String notice, int attempt) implements VmmPlan {
        @Override
        public Duration firstOutputWatch() {
            return Duration.ZERO;
        }
    }

    @Override
    public Platform platform() {
        return platform;
    }

    @Override
    public VmmPlan plan(MachineSpec spec, Path stateDir, boolean startPaused) {
        calls.add("plan");
        onCall.accept("plan");
        if (failAt == Step.PLAN) {
            throw new UserException("the fake VMM cannot run this", "give it another spec");
        }
        return new Plan(spec, stateDir, startPaused, "fake notice", 1);
    }

    @Override
    public Optional<Retry> retry(VmmPlan failed, MachineExit exit) {
        calls.add("retry?" + exit.vmmExitCode());
        Plan p = (Plan) failed;
        if (exit.vmmExitCode() != retryOnExitCode || p.attempt() > 1) {
            return Optional.empty();
        }
        return Optional.of(new Retry(new Plan(p.spec(), p.stateDir(), p.startPaused(), null, 2), "started again"));
    }

    @Override
    public VmmStart spawn(VmmPlan plan) throws IOException {
        call("spawn", Step.SPAWN);
        Path dir = plan.stateDir();
        Files.createDirectories(dir);
        for (String stale : List.of("end", "stop", "exit-code", "console.log", "paused")) {
            Files.deleteIfExists(dir.resolve(stale));
        }
        Process p = new ProcessBuilder("sh", "-c", SCRIPT, "fake-vmm", dir.toString())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        Files.writeString(dir.resolve("pid"), Long.toString(p.pid()));
        return new VmmStart() {
            @Override
            public VmmProcess finish() throws IOException {
                call("finish", Step.FINISH);
                if (plan.startPaused()) {
                    Files.writeString(dir.resolve("paused"), "");
                }
                return new Process1(dir);
            }

            @Override
            public void abandon() {
                calls.add("abandon");
                p.destroyForcibly();
                try {
                    p.waitFor();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
    }

    @Override
    public VmmProcess attach(MachineSpec spec, Path stateDir) {
        return new Process1(stateDir);
    }

    /** The guest's status is the VMM's, halved: to tell that the driver's mapping is the one shown. */
    @Override
    public int guestExitStatus(int vmmExitCode) {
        return vmmExitCode / 2;
    }

    /** Ends the guest of the machine in {@code stateDir} with {@code status}. */
    static void endGuest(Path stateDir, int status) throws IOException {
        Files.writeString(stateDir.resolve("end"), Integer.toString(status));
    }

    private final class Process1 implements VmmProcess {
        private final Path dir;

        Process1(Path dir) {
            this.dir = dir;
        }

        @Override
        public long pid() {
            try {
                return Long.parseLong(Files.readString(dir.resolve("pid")).strip());
            } catch (IOException e) {
                return -1;
            }
        }

        @Override
        public boolean isRunning() {
            return !Files.exists(dir.resolve("exit-code"))
                    && ProcessHandle.of(pid()).map(ProcessHandle::isAlive).orElse(false);
        }

        @Override
        public void pause() throws IOException {
            call("pause", Step.PAUSE);
        }

        @Override
        public void resume() throws IOException {
            call("resume", Step.PAUSE);
        }

        @Override
        public MachineExit stop(Duration grace) throws IOException {
            calls.add("stop");
            if (isRunning()) {
                Files.writeString(dir.resolve("stop"), "");
            }
            return awaitExit().orElseThrow(() -> new IOException("the fake VMM did not end"));
        }

        @Override
        public MachineExit follow(OutputStream out) throws IOException {
            calls.add("follow");
            MachineExit exit = awaitExit().orElseThrow(() -> new IOException("the fake VMM did not end"));
            out.write(Files.readAllBytes(dir.resolve("console.log")));
            return exit;
        }

        private Optional<MachineExit> awaitExit() throws IOException {
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            Optional<MachineExit> exit;
            while ((exit = exit()).isEmpty() && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException();
                }
            }
            return exit;
        }

        @Override
        public Optional<MachineExit> exit() throws IOException {
            Path code = dir.resolve("exit-code");
            if (Files.exists(code)) {
                int status = Integer.parseInt(Files.readString(code).strip());
                Outcome outcome = status == 143 ? Outcome.STOPPED : status == 0 ? Outcome.POWERED_OFF : Outcome.CRASHED;
                return Optional.of(new MachineExit(status, outcome, "the fake guest ended with " + status, null));
            }
            return isRunning() ? Optional.empty()
                    : Optional.of(new MachineExit(-1, Outcome.LOST, "the fake VMM is gone", null));
        }

        @Override
        public Optional<MachineExit> watchFirstOutput(Duration limit) {
            return Optional.empty();
        }

        @Override
        public Optional<MachineExit> stalled(Duration patience) {
            if (!Files.exists(dir.resolve("stalled"))) {
                return Optional.empty();
            }
            return Optional.of(new MachineExit(-1, Outcome.STALLED, "the fake VMM stopped the guest", null, "stalled"));
        }

        @Override
        public void openGdbStub(GdbEndpoint endpoint) throws IOException {
            call("gdb " + endpoint, Step.GDB);
        }

        @Override
        public void copyLogs(OutputStream out, boolean follow) throws IOException {
            Path console = dir.resolve("console.log");
            if (Files.exists(console)) {
                out.write(Files.readString(console).getBytes(StandardCharsets.UTF_8));
            }
        }

        @Override
        public void release() {
            calls.add("release");
        }
    }
}
