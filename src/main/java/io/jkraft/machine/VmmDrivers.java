package io.jkraft.machine;

import io.jkraft.common.Invocation;
import io.jkraft.common.Platform;
import io.jkraft.common.UserException;
import io.jkraft.machine.api.MachineSpec;
import io.jkraft.machine.api.VmmDriver;
import io.jkraft.machine.qemu.AcceleratorProbe;
import io.jkraft.machine.qemu.QemuDriver;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The machine drivers jkraft has, by the platform each runs. A new driver is one package and one entry here. */
public final class VmmDrivers {
    private final Map<Platform, VmmDriver> byPlatform;

    private VmmDrivers(List<VmmDriver> drivers) {
        Map<Platform, VmmDriver> map = new LinkedHashMap<>();
        for (VmmDriver d : drivers) {
            if (map.putIfAbsent(d.platform(), d) != null) {
                throw new IllegalArgumentException("two drivers for platform " + d.platform());
            }
        }
        this.byPlatform = Map.copyOf(map);
    }

    public static VmmDrivers of(VmmDriver... drivers) {
        return new VmmDrivers(List.of(drivers));
    }

    /**
     * The drivers of this host's VMMs.
     *
     * @param cacheDir where accelerator probes are remembered
     * @param invocation the command's folder and environment: the VMMs' programs are found on its PATH and run with it
     */
    public static VmmDrivers standard(Path cacheDir, Invocation invocation) {
        return of(new QemuDriver(new AcceleratorProbe(cacheDir, invocation.environment()), invocation));
    }

    /** The driver for {@code platform}; a platform without one is the user's error, naming those there are. */
    public VmmDriver forPlatform(Platform platform) {
        VmmDriver driver = byPlatform.get(platform);
        if (driver == null) {
            throw new UserException("platform " + platform + " cannot run here yet: only " + String.join(", ", platforms())
                    + " " + (byPlatform.size() == 1 ? "is" : "are") + " supported",
                    "run with --plat " + platforms().getFirst());
        }
        return driver;
    }

    public VmmDriver forSpec(MachineSpec spec) {
        return forPlatform(spec.platform());
    }

    /** The platforms with a driver, by kraft's names, sorted. */
    public List<String> platforms() {
        return byPlatform.keySet().stream().map(Platform::kraftName).sorted().toList();
    }
}
