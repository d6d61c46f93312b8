package io.jkraft.build;

import io.jkraft.kconfig.KconfigDrift;
import io.jkraft.kraftfile.Target;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A target that built (or was already up to date).
 *
 * @param kernel   the kernel image, in kraft's layout ({@code <outdir>/<name>_<plat>-<arch>})
 * @param debug    the unstripped image with symbols ({@code kernel + ".dbg"}), or null when the core made none
 * @param upToDate true when no input changed and make did not run
 * @param objects  objects compiled by this build
 * @param drifts   requested Kconfig options the resulting configuration did not take
 * @param config   the target's resulting {@code .config}, or null for a prebuilt kernel (packing reads it)
 */
public record BuildResult(Target target, Path kernel, Path debug, boolean upToDate, int objects,
        Duration elapsed, List<KconfigDrift> drifts, Path config) {

    /** A result without a known configuration (a prebuilt kernel). */
    public BuildResult(Target target, Path kernel, Path debug, boolean upToDate, int objects, Duration elapsed,
            List<KconfigDrift> drifts) {
        this(target, kernel, debug, upToDate, objects, elapsed, drifts, null);
    }
}
