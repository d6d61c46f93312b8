package io.jkraft.build;

import io.jkraft.common.FileTrees;
import io.jkraft.common.Invocation;
import io.jkraft.common.UserException;
import io.jkraft.config.JkraftConfig;
import io.jkraft.config.JkraftPaths;
import io.jkraft.index.IndexService;
import io.jkraft.kraftfile.Kraftfile;
import io.jkraft.kraftfile.KraftfileParser;
import io.jkraft.kraftfile.Target;
import io.jkraft.origin.FetchedOrigin;
import io.jkraft.origin.OriginArchives;
import io.jkraft.origin.OriginOptions;
import io.jkraft.source.FetchPolicy;
import io.jkraft.source.OriginResolver;
import io.jkraft.source.SourceCache;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Builds, fetches, cleans and configures Kraftfile projects. Callable without the CLI. */
public final class BuildService {
    private final JkraftConfig config;
    private final JkraftPaths paths;
    private final Invocation invocation;
    private final BuildListener listener;
    private final MakeRunner make;

    /** @param invocation relative paths of requests are relative to its folder; make runs with its environment */
    public BuildService(JkraftConfig config, JkraftPaths paths, Invocation invocation, BuildListener listener) {
        this.config = config;
        this.paths = paths;
        this.invocation = invocation;
        this.listener = listener;
        this.make = makeRunner(OriginOptions.DEFAULT);
    }

    /** A make runner whose wget fetches origin archives with these options. */
    private MakeRunner makeRunner(OriginOptions options) {
        return new MakeRunner(invocation, new OriginArchives(paths.cacheDir(), config.originArchives(), invocation,
                listener, options));
    }

    /** Builds the selected targets, in parallel where the job count allows; returns them in order. */
    public List<BuildResult> build(BuildRequest asked) {
        BuildRequest request = asked.resolve(invocation);
        Kraftfile kraftfile = load(request);
        List<Target> targets = TargetSelector.select(kraftfile, request);
        List<Target> toBuild = targets.stream().filter(t -> t.kernel() == null).toList();
        ProjectSources sources = toBuild.isEmpty() ? null : fetchSources(kraftfile, policy(request));
        int parallel = Math.max(1, Math.min(toBuild.size(), request.jobs()));
        int jobsEach = Math.max(1, request.jobs() / parallel);
        List<BuildResult> results = new ArrayList<>();
        List<UserException> failures = new ArrayList<>();
        AppMakefile appMakefile = new AppMakefile(kraftfile.projectDir());
        try (BuildRootfs rootfs = BuildRootfs.of(request, kraftfile, paths.cacheDir().resolve("initrd"));
                ExecutorService pool = Executors.newFixedThreadPool(parallel)) {
            List<Future<BuildResult>> futures = new ArrayList<>();
            for (Target t : targets) {
                if (t.kernel() != null) {
                    futures.add(pool.submit(() -> prebuilt(kraftfile, t)));
                } else {
                    TargetBuild build = new TargetBuild(kraftfile, sources, TargetLayout.of(kraftfile, t), request,
                            listener, make, appMakefile, rootfs);
                    futures.add(pool.submit(() -> build.run(jobsEach)));
                }
            }
            for (Future<BuildResult> f : futures) {
                try {
                    results.add(f.get());
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof UserException u) {
                        failures.add(u);
                    } else if (e.getCause() instanceof RuntimeException r) {
                        throw r;
                    } else {
                        throw new IllegalStateException(e.getCause());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new UserException("interrupted");
                }
            }
        }
        if (failures.size() == 1) {
            throw failures.getFirst();
        }
        if (!failures.isEmpty()) {
            throw new BuildFailedException(failures.size() + " targets failed:\n  "
                    + String.join("\n  ", failures.stream().map(UserException::getMessage).toList()),
                    String.join("; ", failures.stream().map(UserException::hint).toList()));
        }
        return results;
    }

    /** The targets a request selects, without building anything (for `run`, which needs exactly one). */
    public List<Target> targets(BuildRequest asked) {
        BuildRequest request = asked.resolve(invocation);
        return TargetSelector.select(load(request), request);
    }

    /** The parsed Kraftfile of a request's project. */
    public Kraftfile kraftfile(BuildRequest asked) {
        BuildRequest request = asked.resolve(invocation);
        return load(request);
    }

    /** Fetches the components into the cache, then the remote library origins through the core's make fetch. */
    public List<FetchedOrigin> fetch(BuildRequest asked) {
        return fetch(asked, OriginOptions.DEFAULT);
    }

    /**
     * As {@link #fetch(BuildRequest)}, with origin archive options ({@code --update-lock}, {@code --no-cache}); returns the
     * origin archives make asked for, in order. {@code --no-configure} keeps a target's existing .config.
     */
    public List<FetchedOrigin> fetch(BuildRequest asked, OriginOptions options) {
        BuildRequest request = asked.resolve(invocation);
        Kraftfile kraftfile = load(request);
        ProjectSources sources = fetchSources(kraftfile, request.noFetch() ? FetchPolicy.OFFLINE : FetchPolicy.REFRESH);
        MakeRunner fetching = makeRunner(options);
        List<FetchedOrigin> fetched = new ArrayList<>();
        AppMakefile appMakefile = new AppMakefile(kraftfile.projectDir());
        for (Target t : TargetSelector.select(kraftfile, request)) {
            TargetLayout layout = TargetLayout.of(kraftfile, t);
            TargetBuild build = targetBuild(kraftfile, sources, layout, request, appMakefile, fetching);
            if (!request.noConfigure() || !Files.isRegularFile(layout.config())) {
                build.configure(DefconfigLayers.compose(kraftfile, t, request.kconfig()));
            }
            int status;
            try (AppMakefile.Lease lease = appMakefile.supply()) {
                status = fetching.run(build.invocation().withGoals(1, Map.of(), "fetch"), layout.log(),
                        line -> listener.makeLine(t, line), fetched::add);
            }
            if (status != 0) {
                throw new BuildFailedException("make fetch failed for " + t.platArch(), "see the log: " + layout.log());
            }
        }
        return fetched;
    }

    /** Removes build output: objects only, or with {@code proper} everything make and jkraft wrote. */
    public void clean(BuildRequest asked, boolean proper) {
        BuildRequest request = asked.resolve(invocation);
        Kraftfile kraftfile = load(request);
        for (Target t : TargetSelector.select(kraftfile, request)) {
            TargetLayout layout = TargetLayout.of(kraftfile, t);
            if (proper) {
                deleteTree(layout.outDir());
                deleteTree(layout.kernel());
                deleteTree(layout.debug());
                // kraft's embedded-initrd path, shared by the targets of an architecture; the next build packs it again
                deleteTree(layout.kernel().resolveSibling("initramfs-" + t.architecture().kraftName() + ".cpio"));
            } else if (Files.isDirectory(layout.outDir())) {
                BuildStamp.forget(layout.outDir());
                ProjectSources sources = fetchSources(kraftfile, FetchPolicy.OFFLINE);
                AppMakefile appMakefile = new AppMakefile(kraftfile.projectDir());
                TargetBuild build = targetBuild(kraftfile, sources, layout, request, appMakefile);
                try (AppMakefile.Lease lease = appMakefile.supply()) {
                    make.run(build.invocation().withGoals(1, Map.of(), "clean"), layout.log(),
                            line -> listener.makeLine(t, line));
                }
            }
            listener.info("cleaned " + t.platArch());
        }
    }

    /** Runs the core's menuconfig for one target on the user's terminal; returns make's status. */
    public int menu(BuildRequest asked) {
        BuildRequest request = asked.resolve(invocation);
        Kraftfile kraftfile = load(request);
        List<Target> targets = TargetSelector.select(kraftfile, request);
        if (targets.size() > 1) {
            throw new UserException("menu configures one target, and " + targets.size() + " match",
                    "choose one with -t, or with --plat and --arch");
        }
        Target t = targets.getFirst();
        TargetLayout layout = TargetLayout.of(kraftfile, t);
        AppMakefile appMakefile = new AppMakefile(kraftfile.projectDir());
        TargetBuild build = targetBuild(kraftfile, fetchSources(kraftfile, policy(request)), layout, request, appMakefile);
        if (!Files.isRegularFile(layout.config())) {
            build.configure(DefconfigLayers.compose(kraftfile, t, request.kconfig()));
        }
        try (AppMakefile.Lease lease = appMakefile.supply()) {
            Process p = invocation.start(new ProcessBuilder(build.invocation().withGoals(1, Map.of(), "menuconfig")
                    .command()).inheritIO());
            return p.waitFor();
        } catch (IOException e) {
            throw new UserException("cannot run make menuconfig: " + e.getMessage(), null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserException("interrupted");
        }
    }

    /** A target's steps for fetch, clean and menu, which configure at most and never embed a rootfs. */
    private TargetBuild targetBuild(Kraftfile kraftfile, ProjectSources sources, TargetLayout layout,
            BuildRequest request, AppMakefile appMakefile) {
        return targetBuild(kraftfile, sources, layout, request, appMakefile, make);
    }

    private TargetBuild targetBuild(Kraftfile kraftfile, ProjectSources sources, TargetLayout layout,
            BuildRequest request, AppMakefile appMakefile, MakeRunner runner) {
        return new TargetBuild(kraftfile, sources, layout, request, listener, runner, appMakefile,
                new BuildRootfs(null, paths.cacheDir()));
    }

    private Kraftfile load(BuildRequest request) {
        Path dir = request.projectDir().toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            throw new UserException("project folder " + request.projectDir() + " does not exist",
                    "pass the folder that holds the Kraftfile");
        }
        Path file = request.kraftfile() != null ? request.kraftfile()
                : new KraftfileParser(invocation.workingDir()).locate(dir).orElseThrow(() -> new UserException("no Kraftfile in " + dir,
                        "create one (Kraftfile, Kraftfile.yaml, kraft.yaml...) or pass its path with -K"));
        if (!Files.isRegularFile(file)) {
            throw new UserException("Kraftfile " + file + " does not exist", "check the -K path");
        }
        return new KraftfileParser(invocation.workingDir()).parse(file, invocation.environment());
    }

    /** Builds reuse what a branch resolved to; `jkraft fetch` is what moves it (like updating a lock file). */
    private static FetchPolicy policy(BuildRequest request) {
        return request.noFetch() ? FetchPolicy.OFFLINE : FetchPolicy.PREFER_CACHE;
    }

    private ProjectSources fetchSources(Kraftfile kraftfile, FetchPolicy policy) {
        SourceCache cache = new SourceCache(paths.sourcesDir(), listener::info);
        return ProjectSources.fetch(kraftfile, new OriginResolver(config.originBase(), IndexService.resolver(paths), invocation.workingDir()), cache, policy);
    }

    private BuildResult prebuilt(Kraftfile kraftfile, Target t) {
        Path kernel = kraftfile.projectDir().resolve(t.kernel()).normalize();
        if (!Files.isRegularFile(kernel)) {
            throw new UserException("target " + t.platArch() + " names the prebuilt kernel " + t.kernel()
                    + ", which does not exist", "build it first or fix the target's kernel path");
        }
        return new BuildResult(t, kernel, null, true, 0, java.time.Duration.ZERO, List.of());
    }

    private static void deleteTree(Path root) {
        try {
            FileTrees.deleteRecursively(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
