package io.jkraft.initrd;

import io.jkraft.common.Digest;
import io.jkraft.common.UserException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** What a rootfs setting (Kraftfile `rootfs`, `--rootfs`) means as an initrd file, for run and pkg alike. */
public final class RootfsInitrd {
    private RootfsInitrd() {}

    /**
     * A cpio file is used as it is; a folder is packed into {@code <cacheDir>/initrd/<digest of its path>.cpio}
     * (again on every call, so edits to the folder are never missed); a Dockerfile is refused.
     *
     * @param rootfs the setting resolved against its base folder, or null for none
     * @return the initrd, or null when there is no rootfs
     */
    public static Path resolve(Path rootfs, Path cacheDir) {
        if (rootfs == null) {
            return null;
        }
        Path path = check(rootfs);
        if (Files.isRegularFile(path)) {
            return path;
        }
        Path archive = cacheDir.resolve("initrd").resolve(digest(path.toString()) + ".cpio");
        CpioPacker.pack(path, archive);
        return archive;
    }

    /**
     * The rootfs as an absolute path once it is known to be a folder or a file (a cpio archive); a
     * Dockerfile is refused, as is a path that does not exist.
     */
    public static Path check(Path rootfs) {
        Path path = rootfs.toAbsolutePath().normalize();
        if (path.getFileName() != null && path.getFileName().toString().startsWith("Dockerfile")) {
            throw new UserException("rootfs " + rootfs + " is a Dockerfile, which needs BuildKit; jkraft cannot build it yet",
                    "build the root file system into a folder and point rootfs at the folder");
        }
        if (!Files.isRegularFile(path) && !Files.isDirectory(path)) {
            throw new UserException("rootfs " + rootfs + " does not exist", "point rootfs at a folder or a cpio file");
        }
        return path;
    }

    private static String digest(String s) {
        return Digest.of(s.getBytes(StandardCharsets.UTF_8)).hex().substring(0, 16);
    }
}
