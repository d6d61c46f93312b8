package io.jkraft.cli;

import io.jkraft.build.BuildRequest;
import io.jkraft.common.Architecture;
import io.jkraft.common.Platform;
import io.jkraft.common.UserException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The project and target selection shared by build, fetch, clean and menu (kraft's flags). */
final class ProjectOptions {
    @Parameters(index = "0", arity = "0..1", paramLabel = "DIR", description = "The project folder (default: the current folder).")
    Path dir;

    @Option(names = {"-K", "--kraftfile"}, paramLabel = "FILE", description = "The Kraftfile to use (default: the one in DIR).")
    Path kraftfile;

    @Option(names = {"-p", "--plat"}, paramLabel = "PLAT", description = "Only targets of this platform: qemu, fc, xen.")
    String plat;

    @Option(names = {"-m", "--arch"}, paramLabel = "ARCH", description = "Only targets of this architecture: x86_64, arm64.")
    String arch;

    @Option(names = {"-t", "--target"}, paramLabel = "TARGET", description = "A target by name or plat/arch; repeatable.")
    List<String> targets = new ArrayList<>();

    @Option(names = "--all", description = "Every target of the Kraftfile (the default when none is selected).")
    boolean all;

    @Option(names = {"-j", "--jobs"}, paramLabel = "N", description = "Parallel make jobs in total (default: the number of CPUs).")
    int jobs = Runtime.getRuntime().availableProcessors();

    @Option(names = "--kconfig", paramLabel = "KEY=VALUE", description = "An extra Kconfig option, applied last; repeatable (n writes 'is not set').")
    Map<String, String> kconfig = new LinkedHashMap<>();

    @Option(names = "--no-fetch", description = "Do not fetch or update sources; use what is in the cache.")
    boolean noFetch;

    /** The request as given: the build service resolves its relative paths against the command's folder. */
    BuildRequest request(boolean noConfigure, boolean noCache, Path buildLog) {
        Path project = dir != null ? dir : Path.of("");
        if (jobs < 1) {
            throw new UserException("-j " + jobs + ": the number of jobs must be at least 1", "pass e.g. -j 2");
        }
        return new BuildRequest(project, kraftfile, plat == null ? null : Platform.parse(plat),
                arch == null ? null : Architecture.parse(arch), targets, all, jobs, noFetch,
                noConfigure, noCache, kconfig, buildLog);
    }
}
