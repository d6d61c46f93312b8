package io.jkraft.build;

import io.jkraft.initrd.StagedRootfs;
import io.jkraft.kraftfile.Kraftfile;
import java.nio.file.Path;

/**
 * The root file system of one build (`--rootfs`, else the Kraftfile's {@code rootfs}), packed at most once,
 * and only when a target embeds it: a project whose kernels take it at run time pays nothing at build time.
 */
final class BuildRootfs implements AutoCloseable {
    private final Path rootfs;
    private final Path tempDir;
    private StagedRootfs staged;

    /** @param rootfs absolute, or null for none */
    BuildRootfs(Path rootfs, Path tempDir) {
        this.rootfs = rootfs;
        this.tempDir = tempDir;
    }

    /** The request's --rootfs (already absolute), else the Kraftfile's against the project folder. */
    static BuildRootfs of(BuildRequest request, Kraftfile kraftfile, Path tempDir) {
        Path path = request.rootfs() != null ? request.rootfs()
                : kraftfile.rootfs() == null || kraftfile.rootfs().isBlank() ? null
                : kraftfile.projectDir().resolve(kraftfile.rootfs()).normalize();
        return new BuildRootfs(path, tempDir);
    }

    boolean present() {
        return rootfs != null;
    }

    Path path() {
        return rootfs;
    }

    /** The packed archive; packs it on the first call. */
    synchronized StagedRootfs staged() {
        if (staged == null) {
            staged = StagedRootfs.stage(rootfs, tempDir);
        }
        return staged;
    }

    @Override
    public synchronized void close() {
        if (staged != null) {
            staged.close();
            staged = null;
        }
    }
}
