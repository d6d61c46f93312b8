package io.jkraft.machine;

import io.jkraft.machine.api.MachineSpec;

import io.jkraft.common.UserException;
import io.jkraft.machine.qemu.QemuDriver;
import io.jkraft.machine.qemu.SpawnedQemu;
import io.jkraft.machine.store.MachineStore;
import io.jkraft.machine.store.StartIntent;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A machine whose QEMU is started (paused) before the machine store is open and the machine recorded,
 * so that QEMU's own start-up (~70 ms under TCG) overlaps the store's (~90 ms: SQLite's driver, then the
 * record); {@link MachineService#complete} then records the machine and resumes the guest. Only for specs
 * without published ports, whose claims must be checked before QEMU starts.
 *
 * <p>The runtime folder holds a {@link StartIntent} naming this process from before QEMU starts until
 * the record exists. A jkraft killed in between leaves a paused QEMU that no record names: the next
 * reconciliation (any `ps`) ends it and removes the folder, since the guest never ran.
 */
public final class EarlyStart {
    private final String id;
    private final MachineSpec spec;
    private final QemuDriver.Plan plan;
    private final SpawnedQemu spawned;
    private final Path dir;

    private EarlyStart(String id, MachineSpec spec, QemuDriver.Plan plan, SpawnedQemu spawned, Path dir) {
        this.id = id;
        this.spec = spec;
        this.plan = plan;
        this.spawned = spawned;
        this.dir = dir;
    }

    /** Whether a spec may start early: one without published ports. */
    public static boolean suits(MachineSpec spec) {
        return spec.ports().isEmpty();
    }

    /**
     * Names the machine's runtime folder, writes the intent and starts QEMU paused.
     *
     * @param runtimeRoot the store's runtime folder ({@link MachineStore#runtimeRoot(Path)})
     * @param keepPaused  leave the guest paused after {@link MachineService#complete} (--no-start)
     */
    public static EarlyStart begin(MachineSpec spec, QemuDriver launcher, Path runtimeRoot, boolean keepPaused) {
        // QEMU would take a gdb socket from whatever listens on it (it removes the path before binding).
        HostPorts.checkGdbFree(spec.gdb());
        String id = MachineStore.newId(MachineStore.processRandom());
        Path dir = runtimeRoot.resolve(id);
        try {
            StartIntent.write(dir);
            // QEMU's -name is for people reading `ps`; a generated name is only known once recorded.
            MachineSpec forQemu = spec.name() == null || spec.name().isBlank()
                    ? spec.withName("jkraft-" + id.substring(0, 8)) : spec;
            QemuDriver.Plan plan = launcher.plan(forQemu, dir, keepPaused);
            return new EarlyStart(id, spec, plan, launcher.spawn(plan), dir);
        } catch (IOException | RuntimeException e) {
            MachineStore.deleteTree(dir);
            if (e instanceof UserException u) {
                throw u;
            }
            throw new UserException("cannot start QEMU: " + e.getMessage(), null, e);
        }
    }

    String id() {
        return id;
    }

    MachineSpec spec() {
        return spec;
    }

    QemuDriver.Plan plan() {
        return plan;
    }

    SpawnedQemu spawned() {
        return spawned;
    }

    Path dir() {
        return dir;
    }

    /** Ends QEMU and removes the folder, for a start that cannot be recorded (a name taken, say). */
    public void abandon() {
        spawned.abandon();
        MachineStore.deleteTree(dir);
    }
}
