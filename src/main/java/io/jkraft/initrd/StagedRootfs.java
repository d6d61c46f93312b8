package io.jkraft.initrd;

import io.jkraft.common.Digest;
import io.jkraft.common.UserException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A rootfs as one cpio archive with its digest, for kernels that embed it: a folder is packed once into a
 * temporary file (removed by {@link #close}), a cpio file is taken as it is. The digest stands for the
 * rootfs in a build's up-to-date check: the archive records every file's name, mode, contents and time.
 */
public final class StagedRootfs implements AutoCloseable {
    private final Path archive;
    private final boolean temporary;
    private final Digest digest;

    private StagedRootfs(Path archive, boolean temporary) {
        this.archive = archive;
        this.temporary = temporary;
        this.digest = digestOf(archive);
    }

    /**
     * @param rootfs  the rootfs setting resolved against its base folder: a folder or a cpio file
     * @param tempDir where a folder's archive is packed (created when missing)
     */
    public static StagedRootfs stage(Path rootfs, Path tempDir) {
        Path source = RootfsInitrd.check(rootfs);
        if (Files.isRegularFile(source)) {
            return new StagedRootfs(source, false);
        }
        try {
            Files.createDirectories(tempDir);
            Path tmp = Files.createTempFile(tempDir, "rootfs-", ".cpio");
            try {
                CpioPacker.pack(source, tmp);
                return new StagedRootfs(tmp, true);
            } catch (RuntimeException e) {
                Files.deleteIfExists(tmp);
                throw e;
            }
        } catch (IOException e) {
            throw new UserException("cannot pack rootfs " + rootfs + ": " + e.getMessage(), null, e);
        }
    }

    public Digest digest() {
        return digest;
    }

    /**
     * Puts the archive at {@code target} unless that file holds the same bytes already, through a temporary
     * file beside it and a rename: an unchanged rootfs leaves the file (and its time) alone, so make's own
     * dependency on it does not rebuild the image.
     *
     * @return whether the file was written
     */
    public synchronized boolean installAt(Path target) {
        Path to = target.toAbsolutePath().normalize();
        try {
            if (Files.isRegularFile(to) && (Files.isSameFile(to, archive) || digestOf(to).equals(digest))) {
                return false;
            }
            Files.createDirectories(to.getParent());
            Path tmp = Files.createTempFile(to.getParent(), to.getFileName().toString(), ".tmp");
            try {
                Files.copy(archive, tmp, StandardCopyOption.REPLACE_EXISTING);
                Files.move(tmp, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
            return true;
        } catch (IOException e) {
            throw new UserException("cannot write the embedded initrd " + to + ": " + e.getMessage(),
                    "check that its folder is writable", e);
        }
    }

    @Override
    public void close() {
        if (temporary) {
            try {
                Files.deleteIfExists(archive);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static Digest digestOf(Path file) {
        Digest.Hasher hasher = Digest.hasher();
        byte[] buffer = new byte[65536];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                hasher.update(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return hasher.digest();
    }
}
