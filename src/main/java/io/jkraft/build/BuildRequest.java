package io.jkraft.build;

import io.jkraft.common.Architecture;
import io.jkraft.common.Invocation;
import io.jkraft.common.Platform;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What the user asked to build, as parsed from the command line.
 *
 * @param projectDir   the application folder
 * @param kraftfile    an explicit Kraftfile path (-K), or null to look in the project folder
 * @param platform     --plat filter, or null
 * @param architecture -m/--arch filter, or null
 * @param targets      -t names or "plat/arch" selectors; empty for none
 * @param all          --all: every target of the Kraftfile
 * @param jobs         -j: parallel make jobs in total
 * @param noFetch      --no-fetch: build from the sources already in the cache
 * @param noConfigure  --no-configure: keep the existing .config
 * @param noCache      -F/--no-cache: build even when the inputs have not changed
 * @param kconfig      --kconfig KEY=VALUE options, the last configuration layer
 * @param buildLog     --build-log: where to copy the make log, or null
 * @param rootfs       --rootfs: the root file system (a folder or a cpio file) instead of the Kraftfile's, or null;
 *                     packed into the image when its configuration embeds an initrd
 */
public record BuildRequest(
        Path projectDir,
        Path kraftfile,
        Platform platform,
        Architecture architecture,
        List<String> targets,
        boolean all,
        int jobs,
        boolean noFetch,
        boolean noConfigure,
        boolean noCache,
        Map<String, String> kconfig,
        Path buildLog,
        Path rootfs) {

    public BuildRequest {
        targets = List.copyOf(targets);
        kconfig = Map.copyOf(kconfig);
    }

    /** A request without --rootfs. */
    public BuildRequest(Path projectDir, Path kraftfile, Platform platform, Architecture architecture,
            List<String> targets, boolean all, int jobs, boolean noFetch, boolean noConfigure, boolean noCache,
            Map<String, String> kconfig, Path buildLog) {
        this(projectDir, kraftfile, platform, architecture, targets, all, jobs, noFetch, noConfigure, noCache,
                kconfig, buildLog, null);
    }

    /** This request with another root file system (relative to the folder jkraft was invoked in). */
    public BuildRequest withRootfs(Path rootfs) {
        return new BuildRequest(projectDir, kraftfile, platform, architecture, targets, all, jobs, noFetch,
                noConfigure, noCache, kconfig, buildLog, rootfs);
    }

    /** This request with its paths made absolute against the folder the user invoked jkraft in. */
    public BuildRequest resolve(Invocation invocation) {
        return new BuildRequest(invocation.resolve(projectDir), invocation.resolve(kraftfile), platform, architecture,
                targets, all, jobs, noFetch, noConfigure, noCache, kconfig, invocation.resolve(buildLog),
                invocation.resolve(rootfs));
    }
}
