package io.jkraft.common;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/** Whole folder trees: the one recursive delete every package uses. */
public final class FileTrees {
    private FileTrees() {}

    /**
     * Deletes {@code path} and, when it is a folder, everything below it; nothing when it does not exist.
     *
     * <p>Symbolic links are deleted, never followed, neither {@code path} itself nor any below it: the trees
     * jkraft deletes (checkouts, unpacked images, a machine's folder) hold links their authors chose, and one
     * pointing at {@code /} must not make a cleanup delete outside the tree.
     *
     * <p>A file or folder that is already gone counts as deleted: another process may be removing the same tree
     * (two jkraft cleaning a stale temporary folder) or parts of it (JGit's background gc, QEMU removing its
     * sockets at exit), and the caller wants the tree gone, not to know who removed which file.
     *
     * <p>A folder the owner may not write (an archive's {@code r-x} folders, Go's read-only module caches) is
     * made writable and its entries deleted, as the owner would do by hand; read-only files need nothing, since
     * unlinking a file needs write permission on its folder only.
     *
     * @throws IOException when something below {@code path} cannot be deleted; what was deleted stays deleted
     */
    public static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(path, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                if (e instanceof AccessDeniedException && Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)
                        && makeWritable(file)) {
                    // a folder the owner may not list: once it may, a walk of its own deletes it
                    deleteRecursively(file);
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null && !(e instanceof NoSuchFileException)) {
                    throw e;
                }
                delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void delete(Path p) throws IOException {
        try {
            Files.deleteIfExists(p);
        } catch (AccessDeniedException e) {
            // unlinking needs write permission on the parent, not on the file or folder itself
            if (!makeWritable(p.getParent())) {
                throw e;
            }
            Files.deleteIfExists(p);
        }
    }

    /** Gives the owner read, write and search permission on {@code dir}; false when that is not ours to give. */
    private static boolean makeWritable(Path dir) {
        if (dir == null) {
            return false;
        }
        try {
            Set<PosixFilePermission> permissions = EnumSet.copyOf(Files.getPosixFilePermissions(dir,
                    LinkOption.NOFOLLOW_LINKS));
            Set<PosixFilePermission> owner = EnumSet.of(PosixFilePermission.OWNER_READ,
                    PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);
            if (permissions.containsAll(owner)) {
                return false;
            }
            permissions.addAll(owner);
            Files.setPosixFilePermissions(dir, permissions);
            return true;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }
}
