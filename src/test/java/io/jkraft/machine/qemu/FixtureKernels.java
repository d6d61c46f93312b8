package io.jkraft.machine.qemu;

import io.jkraft.common.Architecture;
import io.jkraft.common.Platform;
import io.jkraft.machine.api.MachineSpec;
import io.jkraft.testing.FixtureApp;
import io.jkraft.testing.FixtureMake;
import io.jkraft.testing.FixtureRepos;
import io.jkraft.testing.QemuBoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Builds the fixture's hello kernel per architecture and makes specs that boot it. */
final class FixtureKernels {

    private final Path dir;

    FixtureKernels(Path dir) {
        this.dir = dir;
    }

    /** The kernel for {@code arch}, built on first use; null when this host cannot build or boot it. */
    Path kernel(String arch) throws Exception {
        if (!QemuBoot.available(arch)) {
            return null;
        }
        Path app = dir.resolve(arch).resolve("hello");
        FixtureMake make = FixtureMake.forApp(FixtureRepos.coreDir(), app);
        Path image = make.image("hello", "qemu", arch);
        if (Files.exists(image)) {
            return image;
        }
        FixtureApp.create(app, null);
        Path defconfig = Files.writeString(dir.resolve(arch).resolve("defconfig"),
                "CONFIG_PLAT_KVM=y\n" + (arch.equals("arm64") ? "CONFIG_ARCH_ARM_64=y\n" : ""));
        FixtureMake.Result configured = make.defconfig(defconfig);
        FixtureMake.Result built = configured.exitCode() == 0 ? make.run("-j2") : configured;
        if (built.exitCode() != 0) {
            throw new IllegalStateException("fixture build failed:\n" + built.output());
        }
        return image;
    }

    /** A spec for the fixture kernel with 8 MiB, one CPU, emulation and nothing attached. */
    static MachineSpec spec(String name, Path kernel, String arch) {
        return new MachineSpec(name, kernel, Platform.QEMU, Architecture.parse(arch), 8L << 20, 1, List.of(), List.of(), Map.of(), List.of(),
                List.of(), null, io.jkraft.machine.api.Acceleration.TCG, null);
    }

    static MachineSpec withArgs(MachineSpec s, List<String> kernelArgs, List<String> appArgs, Map<String, String> env) {
        return new MachineSpec(s.name(), s.kernel(), s.platform(), s.architecture(), s.memoryBytes(), s.cpus(),
                kernelArgs, appArgs, env, s.ports(), s.volumes(), s.initrd(), s.acceleration(), s.gdb());
    }

    static MachineSpec withDevices(MachineSpec s, List<MachineSpec.PortMapping> ports,
            List<MachineSpec.VolumeMapping> volumes, Path initrd) {
        return new MachineSpec(s.name(), s.kernel(), s.platform(), s.architecture(), s.memoryBytes(), s.cpus(),
                s.kernelArgs(), s.appArgs(), s.env(), ports, volumes, initrd, s.acceleration(), s.gdb());
    }
}
