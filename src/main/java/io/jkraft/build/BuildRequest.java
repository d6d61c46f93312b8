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
        Path buildLog) {

    public BuildRequest {
        targets = List.copyOf(targets);
        kconfig = Map.copyOf(kconfig);
    }

    /** This request with its paths made absolute against the folder the user invoked jkraft in. */
    public BuildRequest resolve(Invocation invocation) {
        return new BuildRequest(invocation.resolve(projectDir), invocation.resolve(kraftfile), platform, architecture,
                targets, all, jobs, noFetch, noConfigure, noCache, kconfig, invocation.resolve(buildLog));
    }
}
