package io.jkraft.machine.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jkraft.machine.api.MachineExit;
import io.jkraft.machine.api.MachineExit.Outcome;
import io.jkraft.testing.QemuBoot;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading a machine's end from its state folder, and a machine outliving the JVM that started it. */
@Tag("qemu")
class QemuProcessTest {

    @TempDir
    Path tmp;

    private final GuestConsoleHints.Context hints = new GuestConsoleHints.Context(true, 8L << 20, Path.of("m.log"));

    private int machines;

    /** A fresh state folder of a machine that ended with {@code exitCode} after printing {@code console}. */
    private QemuStateDir finished(String exitCode, String console) throws Exception {
        QemuStateDir state = new QemuStateDir(Files.createDirectories(tmp.resolve("state" + machines++)));
        Files.writeString(state.exitCodeFile(), exitCode + "\n");
        Files.writeString(state.consoleLog(), console);
        return state;
    }

    private MachineExit exitOf(QemuStateDir state) throws Exception {
        return QemuProcess.attach(state, hints).exit().orElseThrow();
    }

    @Test
    void cleanHaltsAreSuccessWhetherByResetOrDebugExit() throws Exception {
        assertThat(exitOf(finished("0", "main returned 0\r\n")).outcome()).isEqualTo(Outcome.POWERED_OFF);
        assertThat(exitOf(finished("83", "Halting system (0)\r\n")).success()).isTrue();
    }

    @Test
    void debugExitCrashAndCrashTextAreCrashesWithAHint() throws Exception {
        MachineExit rng = exitOf(finished("85",
                "[    0.1] ERR:  [libukrandom] <random.c @   65> Could not initialize the HWRNG (-95)\r\n"));
        assertThat(rng.outcome()).isEqualTo(Outcome.CRASHED);
        assertThat(rng.hint()).contains("CONFIG_LIBUKRANDOM=n");

        // arm64 powers off through PSCI even after a crash: QEMU exits 0 and only the console tells.
        MachineExit arm = exitOf(finished("0", "CRIT: [libkvmplat] <traps_arm64.c @ 210> EL1 sync trap caught\r\n"));
        assertThat(arm.outcome()).isEqualTo(Outcome.CRASHED);
        assertThat(arm.detail()).contains("EL1 sync trap caught");
    }

    @Test
    void qemuErrorsAndSignalsAreFailures() throws Exception {
        QemuStateDir refused = finished("1", "");
        Files.writeString(refused.qemuLog(), "qemu-system-x86_64: -device foo: 'foo' is not a valid device model name\n");
        assertThat(exitOf(refused)).satisfies(e -> {
            assertThat(e.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(e.detail()).isEqualTo("QEMU exited with 1: qemu-system-x86_64: -device foo: 'foo' is not a"
                    + " valid device model name");
        });
        assertThat(exitOf(finished("137", "")).detail()).isEqualTo("QEMU was killed by signal 9");

        QemuStateDir terminated = finished("0", "main returned 0\r\n");
        Files.writeString(terminated.qemuLog(), "qemu-system-x86_64: terminating on signal 15 from pid 42 (kill)\n");
        assertThat(exitOf(terminated)).satisfies(e -> {
            assertThat(e.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(e.detail()).contains("terminating on signal 15");
        });
    }

    @Test
    void aRequestedStopAndAMissingExitStatusAreToldApart() throws Exception {
        QemuStateDir stopped = finished("143", "");
        Files.writeString(stopped.stopRequestedFile(), "");
        assertThat(exitOf(stopped).outcome()).isEqualTo(Outcome.STOPPED);

        QemuStateDir lost = finished("0", "");
        Files.delete(lost.exitCodeFile());
        Files.writeString(lost.pidFile(), Long.toString(Long.MAX_VALUE / 2));
        assertThat(exitOf(lost).outcome()).isEqualTo(Outcome.LOST);
    }

    @Test
    void machineOutlivesItsJvmKilledWithSigkillInItsOwnSession() throws Exception {
        assumeTrue(QemuBoot.available("x86_64"), () -> QemuBoot.unavailableReason("x86_64"));
        Path kernel = new FixtureKernels(tmp.resolve("kernels")).kernel("x86_64");
        QemuStateDir state = new QemuStateDir(tmp.resolve("orphan"));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process jvm = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                QemuStartMain.class.getName(), kernel.toString(), state.dir().toString(), tmp.resolve("cache").toString())
                .redirectErrorStream(true).start();
        long qemuPid;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8))) {
            String line = out.readLine();
            assertThat(line).as("child JVM output").matches("\\d+");
            qemuPid = Long.parseLong(line);

            jvm.destroyForcibly();
            assertThat(jvm.waitFor(10, TimeUnit.SECONDS)).isTrue();
        }
        QemuProcess orphan = QemuProcess.attach(state, hints);
        try {
            assertThat(orphan.pid()).isEqualTo(qemuPid);
            assertThat(orphan.isRunning()).isTrue();
            assertThat(session(qemuPid)).isNotEqualTo(session(ProcessHandle.current().pid()));
            try (QmpClient qmp = orphan.qmp()) {
                assertThat(qmp.queryStatus()).isEqualTo("prelaunch");
            }
        } finally {
            MachineExit exit = orphan.stop(Duration.ofSeconds(5));
            assertThat(exit.outcome()).isEqualTo(Outcome.STOPPED);
        }
        assertThat(ProcessHandle.of(qemuPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }

    /** The session id, field 6 of /proc/PID/stat (after the parenthesised command name). */
    private static long session(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[3]);
    }
}
