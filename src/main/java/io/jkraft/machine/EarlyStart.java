package io.jkraft.machine;

import io.jkraft.common.UserException;
import io.jkraft.machine.api.MachineSpec;
import io.jkraft.machine.api.VmmDriver;
import io.jkraft.machine.api.VmmPlan;
import io.jkraft.machine.api.VmmStart;
import io.jkraft.machine.store.MachineStore;
import io.jkraft.machine.store.StartIntent;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A machine whose VMM is started (paused) before the machine is recorded, so that the VMM's own start-up
 * (QEMU: ~70 ms under TCG) overlaps the store's (~90 ms in a JVM of its own: SQLite's driver, then the record;
 * ~12 ms with the resident helper's store open); {@link MachineService#complete} then records the machine and
 * resumes the guest. Only for specs without published ports, whose claims must be checked before the VMM starts.
 *
 * <p>The runtime folder holds a {@link StartIntent} naming this process from before the VMM starts until
 * the record exists. A jkraft killed in between leaves a paused VMM that no record names: the next
 * reconciliation (any `ps`) ends it and removes the folder, since the guest never ran.
 */
public final class EarlyStart {
    private final String id;
    private final MachineSpec spec;
    private final VmmPlan plan;
    private final VmmStart spawned;
    private final VmmDriver driver;
    private final Path dir;

    private EarlyStart(String id, MachineSpec spec, VmmPlan plan, VmmStart spawned, Path dir, VmmDriver driver) {
        this.driver = driver;
        this.id = id;
        this.spec = spec;
        this.plan = plan;
        this.spawned = spawned;
        this.dir = dir;
    }

    /**
     * Whether a spec may start early: one without published ports, and without networks (whose addresses are
     * leased, and taps named, when the machine is recorded).
     */
    public static boolean suits(MachineSpec spec) {
        return spec.ports().isEmpty() && spec.networks().isEmpty();
    }

    /**
     * Names the machine's runtime folder, writes the intent and starts the VMM paused.
     *
     * @param runtimeRoot the store's runtime folder ({@link MachineStore#runtimeRoot(Path)})
     * @param keepPaused  leave the guest paused after {@link MachineService#complete} (--no-start)
     */
    public static EarlyStart begin(MachineSpec spec, VmmDriver driver, Path runtimeRoot, boolean keepPaused) {
        // QEMU would take a gdb socket from whatever listens on it (it removes the path before binding).
        HostPorts.checkGdbFree(spec.gdb());
        String id = MachineStore.newId(MachineStore.processRandom());
        Path dir = runtimeRoot.resolve(id);
        try {
            StartIntent.write(dir);
            // A VMM's name is for people reading `ps`; a generated name is only known once recorded.
            MachineSpec forQemu = spec.name() == null || spec.name().isBlank()
                    ? spec.withName("jkraft-" + id.substring(0, 8)) : spec;
            VmmPlan plan = driver.plan(forQemu, dir, keepPaused);
            return new EarlyStart(id, spec, plan, driver.spawn(plan), dir, driver);
        } catch (IOException | RuntimeException e) {
            MachineStore.deleteTree(dir);
            if (e instanceof UserException u) {
                throw u;
            }
            throw new UserException("cannot start the " + driver.platform() + " VMM: " + e.getMessage(), null, e);
        }
    }

    String id() {
        return id;
    }

    MachineSpec spec() {
        return spec;
    }

    VmmPlan plan() {
        return plan;
    }

    VmmStart spawned() {
        return spawned;
    }

    VmmDriver driver() {
        return driver;
    }

    Path dir() {
        return dir;
    }

    /** Ends the VMM and removes the folder, for a start that cannot be recorded (a name taken, say). */
    public void abandon() {
        spawned.abandon();
        MachineStore.deleteTree(dir);
    }
}
