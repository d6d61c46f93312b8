package io.jkraft.source;

import io.jkraft.common.Digest;
import io.jkraft.common.FileTrees;
import io.jkraft.common.LockFile;
import io.jkraft.common.UserException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The cache's folder layout and the primitives that keep it trustworthy: every entry a later run trusts
 * (a bare repository, a checked-out tree, an extracted archive, a record file) appears through one atomic
 * rename from {@code tmp/}, so a process killed at any moment leaves at worst garbage in {@code tmp/},
 * which the next run removes.
 */
final class CacheDirs {
    final Path root;
    final Path git;
    final Path trees;
    final Path archives;
    final Path archiveUrls;
    final Path locks;
    final Path tmp;

    CacheDirs(Path root) {
        this.root = root.toAbsolutePath().normalize();
        this.git = this.root.resolve("git");
        this.trees = this.root.resolve("trees");
        this.archives = this.root.resolve("archives");
        this.archiveUrls = this.root.resolve("archive-urls");
        this.locks = this.root.resolve("locks");
        this.tmp = this.root.resolve("tmp");
    }

    void create() {
        try {
            for (Path p : new Path[] {git, trees, archives, archiveUrls, locks, tmp}) {
                Files.createDirectories(p);
            }
        } catch (IOException e) {
            throw new UserException("cannot create the source cache in " + root + ": " + e,
                    "check that the folder is writable, or point JKRAFT's data folder elsewhere", e);
        }
    }

    /**
     * Removes what killed processes left in {@code tmp/}. Entries are named {@code <pid>-...}; those of a
     * live process (this one included) may still be in use and are kept.
     */
    void cleanStaleTemps() {
        long self = ProcessHandle.current().pid();
        try (Stream<Path> entries = Files.list(tmp)) {
            for (Path p : entries.toList()) {
                long pid = ownerPid(p.getFileName().toString());
                boolean alive = pid == self
                        || (pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
                if (!alive) {
                    FileTrees.deleteRecursively(p);
                }
            }
        } catch (NoSuchFileException e) {
            // nothing to clean
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long ownerPid(String name) {
        int dash = name.indexOf('-');
        try {
            return dash > 0 ? Long.parseLong(name.substring(0, dash)) : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** A fresh name in {@code tmp/}, owned by this process; nothing is created. */
    Path tempPath(String suffix) {
        return tmp.resolve(ProcessHandle.current().pid() + "-" + UUID.randomUUID() + suffix);
    }

    Path newTempDir() throws IOException {
        return Files.createDirectory(tempPath(""));
    }

    /**
     * Moves a finished folder into place with one rename. When another process won the race the target
     * already holds the same content, so ours is dropped.
     *
     * @return whether our folder was moved in
     */
    boolean install(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the source cache " + root + " does not support atomic renames", e);
        } catch (FileSystemException e) {
            // with ATOMIC_MOVE the JDK reports ENOTEMPTY as a bare FileSystemException, not a subclass
            if (!Files.isDirectory(target)) {
                throw e;
            }
            FileTrees.deleteRecursively(temp);
            return false;
        }
    }

    /** Replaces a small file's content so readers see either the old or the new content, never a mix. */
    void writeAtomically(Path file, String content) throws IOException {
        Path temp = tempPath(".txt");
        try {
            Files.writeString(temp, content, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW);
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Reads a file written by {@link #writeAtomically}, or null when there is none. */
    static String readRecord(Path file) throws IOException {
        try {
            String s = Files.readString(file, StandardCharsets.UTF_8).strip();
            return s.isEmpty() ? null : s;
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** Takes the lock that serialises all work on one URL, across processes and threads. */
    LockFile lock(String key, Consumer<String> progress, String what) {
        Path file = locks.resolve(key + ".lock");
        try {
            return LockFile.acquire(file, () -> progress.accept("waiting for another jkraft fetching " + what));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserException("interrupted while waiting to fetch " + what, null, e);
        } catch (IOException e) {
            throw new UserException("cannot lock " + file + ": " + e, "check that the source cache is writable", e);
        }
    }

    /** The cache key of a URL: short enough for paths, long enough never to collide in one cache. */
    static String urlKey(String url) {
        return Digest.of(url.getBytes(StandardCharsets.UTF_8)).hex().substring(0, 16);
    }
}
