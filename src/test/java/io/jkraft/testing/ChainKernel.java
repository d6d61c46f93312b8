package io.jkraft.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The kernel of {@code src/test/fixtures/app-chain}: it prints {@value #SPINNING} and spins for ever in
 * {@code main -> a -> b -> c}, {@code c} a leaf without a frame (see chain.c), for stack profiling tests.
 */
public final class ChainKernel {
    public static final String SPINNING = "chain: spinning";
    public static final String NAME = "chain";

    private ChainKernel() {
    }

    /** The chain app's folder in the source tree. */
    public static Path appDir() {
        return FixtureRepos.fixturesDir().resolve("app-chain");
    }

    /**
     * Builds the kernel for {@code arch} (x86_64 or arm64) in {@code dir} with the fixture core and returns the
     * unstripped {@code .dbg}; the bootable kernel is the same path without {@code .dbg}. Skips the calling test
     * where the arch's kernels cannot be built or booted.
     */
    public static Path build(Path dir, String arch) throws IOException, InterruptedException {
        assumeTrue(QemuBoot.available(arch), () -> QemuBoot.unavailableReason(arch));
        Path app = Files.createDirectories(dir.resolve(NAME));
        for (String file : new String[] {"chain.c", "Makefile.uk"}) {
            Files.copy(appDir().resolve(file), app.resolve(file));
        }
        String arm = QemuBoot.isArm(arch) ? "CONFIG_ARCH_ARM_64=y\n" : "";
        Path defconfig = Files.writeString(dir.resolve("defconfig"), "CONFIG_PLAT_KVM=y\n" + arm);
        FixtureMake make = FixtureMake.forApp(FixtureRepos.coreDir(), app);
        FixtureMake.Result configured = make.defconfig(defconfig);
        FixtureMake.Result built = configured.exitCode() == 0 ? make.run("-j2") : configured;
        if (built.exitCode() != 0) {
            throw new IllegalStateException("the chain kernel did not build:\n" + built.output());
        }
        return Path.of(make.image(NAME, "qemu", QemuBoot.isArm(arch) ? "arm64" : "x86_64") + ".dbg");
    }
}
