package io.jkraft.machine.qemu;

import io.jkraft.common.UserException;
import io.jkraft.machine.HostSystem;
import io.jkraft.machine.MachineSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The QEMU side of {@code jkraft run}: finds QEMU, decides the accelerator, builds the command and
 * starts the process. Detached and foreground runs start the same way; foreground callers then
 * {@link QemuProcess#follow} the console.
 */
public final class QemuLauncher {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final AcceleratorProbe probe;
    private final Map<String, String> env;

    /**
     * @param probe decides KVM or TCG
     * @param env   the command's environment: its PATH is searched for QEMU, and QEMU runs with it
     */
    public QemuLauncher(AcceleratorProbe probe, Map<String, String> env) {
        this.probe = probe;
        this.env = Map.copyOf(env);
    }

    /**
     * Everything decided before QEMU starts.
     *
     * @param command     the QEMU invocation
     * @param accelerator KVM or TCG; its {@link Accelerator#notice()} is for the user
     * @param state       the machine's state folder
     * @param hints       what console hints need to know
     * @param startPaused keep the vCPUs stopped after start, until a QMP {@code cont}
     */
    public record Plan(QemuCommand command, Accelerator accelerator, QemuStateDir state,
            GuestConsoleHints.Context hints, boolean startPaused) {}

    /** Decides how to run {@code spec} with {@code stateDir} as its state folder. */
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
     * The plan for {@code spec} under TCG after KVM failed to run its guest, which the probe had let through:
     * the host is remembered as one whose KVM cannot run guests with this QEMU, so later runs go to TCG at once.
     *
     * @param why what KVM did (QEMU's words)
     */
    public Plan fallBackToTcg(MachineSpec spec, Path stateDir, boolean startPaused, String why) {
        Path binary = findBinary(spec.architecture());
        probe.rememberUnusable(binary, why);
        return plan(spec, stateDir, startPaused, binary, Accelerator.tcg(why).remembered());
    }

    private Plan plan(MachineSpec spec, Path stateDir, boolean startPaused, Path binary, Accelerator accelerator) {
        QemuStateDir state = new QemuStateDir(stateDir);
        QemuCommand command = QemuCommand.create(spec, state,
                QemuCommand.Options.detect(binary, accelerator));
        return new Plan(command, accelerator, state,
                new GuestConsoleHints.Context(!accelerator.isKvm(), spec.memoryBytes(), state.consoleLog()), startPaused);
    }

    /** Starts QEMU for a plan (created paused) and returns without waiting for it. */
    public SpawnedQemu spawn(Plan plan) throws IOException {
        return SpawnedQemu.spawn(plan.command(), plan.state(), plan.hints(), env);
    }

    /** Waits for a spawned QEMU's monitor, then resumes it unless the plan keeps it paused. */
    public QemuProcess finish(Plan plan, SpawnedQemu spawned) throws IOException {
        return spawned.finish(plan.startPaused(), START_TIMEOUT);
    }

    /** Starts QEMU for a plan; it keeps running when this JVM ends. */
    public QemuProcess start(Plan plan) throws IOException {
        return QemuProcess.start(plan.command(), plan.state(), plan.hints(), plan.startPaused(), START_TIMEOUT, env);
    }

    /** The QEMU executable for an architecture, from PATH. */
    public Path findBinary(String architecture) {
        String name = QemuCommand.binaryName(architecture);
        Optional<Path> found = HostSystem.onPath(name, env);
        if (found.isPresent()) {
            return found.get();
        }
        throw new UserException(name + " was not found on PATH",
                "install QEMU (Debian: apt-get install " + (architecture.equals("arm64") ? "qemu-system-arm"
                        : "qemu-system-x86") + ")");
    }
}
