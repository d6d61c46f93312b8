package io.jkraft.machine;

import io.jkraft.machine.api.MachineSpec;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * The one way a new machine starts, for {@code run} and {@code profile -- RUN-ARGS}: its VMM first, while the
 * store opens and the machine is recorded ({@link EarlyStart}), when the spec allows it; else the record first
 * ({@link MachineService#run}). A start that cannot be recorded is abandoned, leaving nothing behind.
 */
public final class MachineLauncher {
    private final VmmDrivers drivers;
    private final Path runtimeRoot;
    private final Supplier<MachineService> services;

    /**
     * @param runtimeRoot the store's runtime folder ({@code MachineStore.runtimeRoot})
     * @param services    the machine service, over a store that may still be opening when it is asked for
     */
    public MachineLauncher(VmmDrivers drivers, Path runtimeRoot, Supplier<MachineService> services) {
        this.drivers = drivers;
        this.runtimeRoot = runtimeRoot;
        this.services = services;
    }

    /** A new machine whose VMM runs, and the service that follows or leaves it. */
    public record Launched(MachineService machines, MachineService.Started started) {}

    /** @param paused create the machine without starting its vCPUs (--no-start) */
    public Launched launch(MachineSpec spec, boolean paused) {
        if (!EarlyStart.suits(spec)) {
            MachineService machines = services.get();
            return new Launched(machines, machines.run(spec, paused));
        }
        EarlyStart early = EarlyStart.begin(spec, drivers.forSpec(spec), runtimeRoot, paused);
        MachineService machines;
        try {
            machines = services.get();
        } catch (RuntimeException e) {
            early.abandon();
            throw e;
        }
        return new Launched(machines, machines.complete(early));
    }
}
