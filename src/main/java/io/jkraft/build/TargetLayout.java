package io.jkraft.build;

import io.jkraft.kraftfile.Kraftfile;
import io.jkraft.kraftfile.Target;
import java.nio.file.Path;

/**
 * Where one target's files go. The kernel lands where kraft puts it
 * ({@code <outdir>/<name>_<plat>-<arch>} and {@code .dbg}); make's own output folder is per target
 * ({@code <outdir>/<name>_<plat>-<arch>.d}) so targets can build in parallel without sharing objects,
 * and the configuration is kraft's {@code .config.<name>_<plat>-<arch>} in the project folder.
 */
record TargetLayout(Target target, String imageName, String baseName, Path outDir, Path config, Path kernel,
        Path debug, Path log, Path defconfig) {

    static TargetLayout of(Kraftfile kraftfile, Target target) {
        String name = target.name() != null ? target.name() : kraftfile.name();
        String base = name + "_" + target.platform() + "-" + target.architecture();
        Path project = kraftfile.projectDir();
        Path outdir = project.resolve(kraftfile.outdir()).normalize();
        Path o = outdir.resolve(base + ".d");
        return new TargetLayout(target, name, base, o, project.resolve(".config." + base), outdir.resolve(base),
                outdir.resolve(base + ".dbg"), o.resolve("build.log"), o.resolve("defconfig"));
    }

    /** The image as make writes it, inside make's output folder. */
    Path builtKernel() {
        return outDir.resolve(baseName);
    }

    Path builtDebug() {
        return outDir.resolve(baseName + ".dbg");
    }
}
