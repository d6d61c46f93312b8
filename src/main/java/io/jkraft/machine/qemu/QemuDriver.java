package io.jkraft.machine.qemu;

import io.jkraft.common.Architecture;
import io.jkraft.common.Invocation;
import io.jkraft.common.Platform;
import io.jkraft.common.UserException;
import io.jkraft.machine.api.Acceleration;
import io.jkraft.machine.api.MachineExit;
import io.jkraft.machine.api.MachineSpec;
import io.jkraft.machine.api.VmmDriver;
import io.jkraft.machine.api.VmmPlan;
import io.jkraft.machine.api.VmmStart;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The QEMU driver: finds QEMU, decides the accelerator, builds the command and starts the process, which
 * outlives jkraft ({@link QemuProcess}). Detached and foreground runs start the same way.
 */
public final class QemuDriver implements VmmDriver {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    /** How long a detached run under KVM waits for its guest's first output (Unikraft prints within milliseconds). */
    private static final Duration KVM_FIRST_OUTPUT_WATCH = Duration.ofSeconds(2);

    private final AcceleratorProbe probe;
    private final Invocation invocation;

    /**
     * @param probe decides KVM or TCG
     * @param invocation the command's folder and environment: QEMU is found on its PATH and runs with its
     *                   environment
     */
    public QemuDriver(AcceleratorProbe probe, Invocation invocation) {
        this.probe = probe;
        this.invocation = invocation;
    }

    /**
     * Everything decided before QEMU starts.
     *
     * @param spec        the machine
     * @param command     the QEMU invocation
     * @param accelerator KVM or TCG; its {@link Accelerator#notice()} is for the user
     * @param state       the machine's state folder
     * @param hints       what console hints need to know
     * @param startPaused keep the vCPUs stopped after start, until a QMP {@code cont}
     */
    public record Plan(MachineSpec spec, QemuCommand command, Accelerator accelerator, QemuStateDir state,
            GuestConsoleHints.Context hints, boolean startPaused) implements VmmPlan {

        @Override
        public Path stateDir() {
            return state.dir();
        }

        @Override
        public String notice() {
            return accelerator.notice();
        }

        /** KVM that jkraft chose may stop a guest at once; a detached run waits to see it and fall back. */
        @Override
        public Duration firstOutputWatch() {
            return choseKvm() ? KVM_FIRST_OUTPUT_WATCH : Duration.ZERO;
        }

        boolean choseKvm() {
            return accelerator.isKvm() && spec.acceleration() == Acceleration.AUTO;
        }
    }

    @Override
    public Platform platform() {
        return Platform.QEMU;
    }

    /** Decides how to run {@code spec} with {@code stateDir} as its state folder. */
    @Override
    public Plan plan(MachineSpec spec, Path stateDir, boolean startPaused) {
        Path binary = findBinary(spec.architecture());
        Accelerator accelerator = switch (spec.acceleration()) {
            case AUTO -> probe.decide(binary, spec.architecture());
            // Asked for: no probe, and no fallback when it fails.
            case KVM -> Accelerator.kvm();
            case TCG -> Accelerator.tcg(null);
        };
        return plan(spec, stateDir, startPaused, binary, accelerator);
    }

    /**
     * A guest that KVM, chosen by jkraft, stopped with an internal error before its first console line is started
     * again under TCG, and the host is remembered as one whose KVM cannot run guests with this QEMU, so that later
     * runs go to TCG at once.
     */
    @Override
    public Optional<Retry> retry(VmmPlan failed, MachineExit exit) {
        if (!(failed instanceof Plan plan) || !plan.choseKvm() || !exit.acceleratorFailed() || consoleWritten(plan)) {
            return Optional.empty();
        }
        Path binary = findBinary(plan.spec().architecture());
        probe.rememberUnusable(binary, exit.detail());
        Plan underTcg = plan(plan.spec(), plan.stateDir(), plan.startPaused(), binary,
                Accelerator.tcg(exit.detail()).remembered());
        return Optional.of(new Retry(underTcg, "KVM could not run the guest (" + exit.detail() + "); starting it again "
                + "with TCG emulation, which later runs with this QEMU use at once"));
    }

    private static boolean consoleWritten(Plan plan) {
        try {
            Path console = plan.state().consoleLog();
            return Files.exists(console) && Files.size(console) > 0;
        } catch (IOException e) {
            return true;
        }
    }

    private Plan plan(MachineSpec spec, Path stateDir, boolean startPaused, Path binary, Accelerator accelerator) {
        QemuStateDir state = new QemuStateDir(stateDir);
        boolean userAddress = !spec.ports().isEmpty() && spec.networks().isEmpty()
                && NetdevParameters.read(spec.kernel());
        QemuCommand command = QemuCommand.create(spec, state,
                QemuCommand.Options.detect(binary, accelerator), userAddress);
        return new Plan(spec, command, accelerator, state,
                new GuestConsoleHints.Context(!accelerator.isKvm(), spec.memoryBytes(), state.consoleLog()), startPaused);
    }

    /** Starts QEMU for a plan (created paused) and returns without waiting for it. */
    @Override
    public VmmStart spawn(VmmPlan plan) throws IOException {
        Plan p = (Plan) plan;
        return SpawnedQemu.spawn(p.command(), p.state(), p.hints(), p.startPaused(), START_TIMEOUT, invocation.environment());
    }

    /** Starts QEMU for a plan and waits until it runs (or stays paused, as planned). */
    public QemuProcess start(Plan plan) throws IOException {
        return (QemuProcess) spawn(plan).finish();
    }

    @Override
    public QemuProcess attach(MachineSpec spec, Path stateDir) {
        QemuStateDir state = new QemuStateDir(stateDir);
        return QemuProcess.attach(state, new GuestConsoleHints.Context(true, spec.memoryBytes(), state.consoleLog()));
    }

    @Override
    public int guestExitStatus(int vmmExitCode) {
        return QemuCommand.guestExitStatus(vmmExitCode);
    }

    /** The QEMU executable for an architecture, from PATH. */
    public Path findBinary(Architecture architecture) {
        String name = QemuCommand.binaryName(architecture);
        Optional<Path> found = invocation.onPath(name);
        if (found.isPresent()) {
            return found.get();
        }
        throw new UserException(name + " was not found on PATH",
                "install QEMU (Debian: apt-get install " + (architecture == Architecture.ARM64 ? "qemu-system-arm"
                        : "qemu-system-x86") + ")");
    }
}
