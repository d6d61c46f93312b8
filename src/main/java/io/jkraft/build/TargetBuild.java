package io.jkraft.build;

import io.jkraft.common.UserException;
import io.jkraft.kconfig.DotConfig;
import io.jkraft.kconfig.KconfigDrift;
import io.jkraft.kconfig.KconfigValues;
import io.jkraft.kraftfile.Kraftfile;
import io.jkraft.origin.OriginLock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The steps that build one target: up-to-date check, configure, make, publish the kernel. */
final class TargetBuild {
    private final Kraftfile kraftfile;
    private final ProjectSources sources;
    private final TargetLayout layout;
    private final BuildRequest request;
    private final BuildListener listener;
    private final MakeRunner make;
    private final AppMakefile appMakefile;
    private final BuildRootfs rootfs;

    TargetBuild(Kraftfile kraftfile, ProjectSources sources, TargetLayout layout, BuildRequest request,
            BuildListener listener, MakeRunner make, AppMakefile appMakefile, BuildRootfs rootfs) {
        this.make = make;
        this.appMakefile = appMakefile;
        this.rootfs = rootfs;
        this.kraftfile = kraftfile;
        this.sources = sources;
        this.layout = layout;
        this.request = request;
        this.listener = listener;
    }

    MakeInvocation invocation() {
        return new MakeInvocation(sources.core().dir(), kraftfile.projectDir(), sources.libraryDirs(), layout.outDir(),
                layout.config(), layout.imageName(), 1, List.of(), Map.of());
    }

    BuildResult run(int jobs) {
        long start = System.nanoTime();
        KconfigValues defconfig = DefconfigLayers.compose(kraftfile, layout.target(), request.kconfig());
        Map<String, String> oldConfig = Files.isRegularFile(layout.config()) ? DotConfig.read(layout.config()) : Map.of();
        // The rootfs is an input only of kernels that embed it; which do is known for sure after configure.
        boolean mayEmbed = EmbeddedInitrd.asked(defconfig.asMap()) || "y".equals(oldConfig.get(EmbeddedInitrd.EMBEDS));
        String inputs = inputDigest(defconfig, mayEmbed);
        if (!request.noCache() && Files.isRegularFile(layout.kernel())
                && BuildStamp.matches(layout.outDir(), withConfig(inputs))) {
            Path embedded = embeddedInitrd(oldConfig);
            if (embedded == null || Files.isRegularFile(embedded)) {
                return new BuildResult(layout.target(), layout.kernel(), existing(layout.debug()), true, 0,
                        Duration.ofNanos(System.nanoTime() - start), List.of(), layout.config(), embedded);
            }
        }
        createDirectories(layout.outDir());
        // Forget the old stamp first: a build interrupted from here on must not look up to date.
        BuildStamp.forget(layout.outDir());
        deleteIfExists(layout.log());
        try (AppMakefile.Lease lease = appMakefile.supply()) {
            List<KconfigDrift> drifts = request.noConfigure() && Files.isRegularFile(layout.config())
                    ? List.of() : configure(defconfig);
            Path embedded = embeddedInitrd(DotConfig.read(layout.config()));
            if (embedded != null) {
                installRootfs(embedded);
                inputs = inputDigest(defconfig, true);
            }
            int objects = compile(jobs);
            publish(layout.builtKernel(), layout.kernel(), true);
            publish(layout.builtDebug(), layout.debug(), false);
            ObjectCount.save(layout.outDir(), objects);
            BuildStamp.save(layout.outDir(), withConfig(inputs));
            copyLog();
            return new BuildResult(layout.target(), layout.kernel(), existing(layout.debug()), false, objects,
                    Duration.ofNanos(System.nanoTime() - start), drifts, layout.config(), embedded);
        }
    }

    /** The initrd file a configuration links into the image, or null when it links none. */
    private Path embeddedInitrd(Map<String, String> config) {
        return EmbeddedInitrd.path(config, kraftfile.projectDir(), sources.core().dir(), layout.config());
    }

    /** Writes the rootfs where the image embeds it from (only when its bytes changed); without one the file must be there. */
    private void installRootfs(Path embedded) {
        if (rootfs.present()) {
            if (rootfs.staged().installAt(embedded)) {
                listener.info("packed rootfs " + rootfs.path() + " into " + embedded);
            }
        } else if (!Files.isRegularFile(embedded)) {
            throw new UserException(layout.target().platArch() + ": the configuration embeds the initrd " + embedded
                    + ", which does not exist, and the project has no rootfs",
                    "set rootfs: in the Kraftfile, pass --rootfs, or put a cpio archive there");
        }
    }

    List<KconfigDrift> configure(KconfigValues defconfig) {
        listener.info("configuring " + layout.target().platArch());
        createDirectories(layout.outDir());
        writeAtomically(layout.defconfig(), defconfig.render());
        int status;
        try (AppMakefile.Lease lease = appMakefile.supply()) {
            status = make.run(invocation().withGoals(1,
                    Map.of("UK_DEFCONFIG", layout.defconfig().toAbsolutePath().toString()), "defconfig"),
                    layout.log(), line -> listener.makeLine(layout.target(), line));
        }
        if (status != 0 || !Files.isRegularFile(layout.config())) {
            throw new BuildFailedException("configuring " + layout.target().platArch() + " failed (make defconfig exited "
                    + status + ")", "see the log: " + layout.log());
        }
        List<KconfigDrift> drifts = KconfigDrift.compare(defconfig.asMap(), DotConfig.read(layout.config()));
        drifts.forEach(d -> listener.warning(layout.target().platArch() + ": " + d.describe()));
        return drifts;
    }

    private int compile(int jobs) {
        MakeOutputParser parser = new MakeOutputParser();
        int expected = ObjectCount.load(layout.outDir());
        listener.info("building " + layout.target().platArch());
        int status = make.run(invocation().withGoals(jobs, Map.of()), layout.log(), line -> {
            listener.makeLine(layout.target(), line);
            if (parser.accept(line)) {
                listener.progress(layout.target(), parser.objects(), expected, parser.currentLibrary());
            }
        });
        if (status != 0) {
            copyLog();
            String error = parser.firstError();
            throw new BuildFailedException("building " + layout.target().platArch() + " failed"
                    + (error != null ? ": " + error : " (make exited " + status + ")"),
                    "full log: " + layout.log());
        }
        if (!Files.isRegularFile(layout.builtKernel())) {
            throw new BuildFailedException("building " + layout.target().platArch() + ": make succeeded but produced no "
                    + layout.builtKernel(), "full log: " + layout.log());
        }
        return parser.objects();
    }

    private String inputDigest(KconfigValues defconfig, boolean embeds) {
        BuildStamp stamp = new BuildStamp()
                .add("defconfig", defconfig.render())
                .add("core", sources.core().dir() + "@" + sources.core().revision())
                .add("make", String.join(" ", invocation().command()));
        sources.libraries().forEach((name, s) -> stamp.add("lib." + name, s.dir() + "@" + s.revision()));
        if (embeds && rootfs.present()) {
            stamp.add("rootfs", rootfs.staged().digest().toString());
        }
        Path outdir = layout.kernel().getParent();
        // The lock file is written while make fetches: counted, it would make the next build look changed.
        Path originLock = kraftfile.projectDir().resolve(OriginLock.FILE_NAME);
        return stamp.addTree(kraftfile.projectDir(), Set.of(outdir, originLock)).value();
    }

    /** The configuration counts too, so that a .config edited with `jkraft menu` forces a rebuild. */
    private String withConfig(String inputs) {
        String config = "";
        try {
            if (Files.isRegularFile(layout.config())) {
                config = Files.readString(layout.config());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new BuildStamp().add("inputs", inputs).add("config", config).value();
    }

    /** Puts the built file where kraft users look for it: a hard link, or a copy across file systems. */
    private static void publish(Path built, Path published, boolean required) {
        if (!Files.isRegularFile(built)) {
            if (required) {
                throw new UserException("missing build output " + built);
            }
            deleteIfExists(published);
            return;
        }
        try {
            Path tmp = published.resolveSibling(published.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            try {
                Files.createLink(tmp, built);
            } catch (IOException | UnsupportedOperationException e) {
                Files.copy(built, tmp, StandardCopyOption.COPY_ATTRIBUTES);
            }
            Files.move(tmp, published, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void copyLog() {
        if (request.buildLog() != null && Files.isRegularFile(layout.log())) {
            try {
                Files.copy(layout.log(), request.buildLog(), StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                listener.warning("cannot copy the build log to " + request.buildLog() + ": " + e.getMessage());
            }
        }
    }

    static void writeAtomically(Path file, String text) {
        try {
            Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), file.getFileName().toString(), ".tmp");
            Files.writeString(tmp, text);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path existing(Path p) {
        return Files.isRegularFile(p) ? p : null;
    }

    private static void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteIfExists(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
