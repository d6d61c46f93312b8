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
 * @param embeddedInitrd the initrd file linked into the kernel ({@code CONFIG_LIBVFSCORE_AUTOMOUNT_EINITRD}), or
 *                 null when the kernel embeds none: then the rootfs goes to the machine as an initrd of its own
 */
public record BuildResult(Target target, Path kernel, Path debug, boolean upToDate, int objects,
        Duration elapsed, List<KconfigDrift> drifts, Path config, Path embeddedInitrd) {

    /** A result whose kernel embeds no initrd. */
    public BuildResult(Target target, Path kernel, Path debug, boolean upToDate, int objects, Duration elapsed,
            List<KconfigDrift> drifts, Path config) {
        this(target, kernel, debug, upToDate, objects, elapsed, drifts, config, null);
    }

    /** Whether the kernel carries its root file system: run and pkg then pass no initrd of their own. */
    public boolean embedsInitrd() {
        return embeddedInitrd != null;
    }

    /** A result without a known configuration (a prebuilt kernel). */
    public BuildResult(Target target, Path kernel, Path debug, boolean upToDate, int objects, Duration elapsed,
            List<KconfigDrift> drifts) {
        this(target, kernel, debug, upToDate, objects, elapsed, drifts, null, null);
    }
}
