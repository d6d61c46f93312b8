package io.jkraft.origin;

import io.jkraft.common.Digest;
import io.jkraft.common.LockFile;
import io.jkraft.common.UserException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The origin archives every project of the user shares: {@code <cache>/origins/<key>/<file name>}, where the key is
 * the start of the URL's sha256, so that two files of the same name from different URLs (GitHub's
 * {@code v1.0.tar.gz}) never meet; {@code <key>/url} says which URL. A file is put there whole, by rename, once it
 * has been checked, so whatever is there is complete. Found by name alone (another URL, the same file name) only
 * when its sum can be checked against the library's declared sum or the project's lock.
 */
final class OriginCache {
    private final Path root;
    private final Path tmp;
    private final Path locks;

    OriginCache(Path root) {
        this.root = root;
        this.tmp = root.resolve(".tmp");
        this.locks = root.resolve(".locks");
    }

    Path root() {
        return root;
    }

    static String key(String url) {
        return Digest.hasher().update(url).digest().hex().substring(0, 16);
    }

    Optional<Path> byUrl(String url, String name) {
        Path p = root.resolve(key(url)).resolve(name);
        return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
    }

    /** Files of this name kept for other URLs. */
    List<Path> byName(String url, String name) {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        List<Path> found = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path d : dirs.sorted().toList()) {
                Path p = d.resolve(name);
                if (!d.getFileName().toString().startsWith(".") && !d.getFileName().toString().equals(key(url))
                        && Files.isRegularFile(p)) {
                    found.add(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return found;
    }

    /**
     * A new empty file to download into; the caller deletes it unless {@link #store} took it. Files a killed jkraft
     * left there a day ago go first (nothing downloads for a day without writing to its file).
     */
    Path newTempFile(String name) throws IOException {
        Files.createDirectories(tmp);
        Instant stale = Instant.now().minus(Duration.ofDays(1));
        try (Stream<Path> parts = Files.list(tmp)) {
            for (Path p : parts.toList()) {
                try {
                    if (Files.getLastModifiedTime(p).toInstant().isBefore(stale)) {
                        Files.deleteIfExists(p);
                    }
                } catch (IOException e) {
                    // another jkraft's, gone meanwhile
                }
            }
        }
        return Files.createTempFile(tmp, safe(name), ".part");
    }

    /** Puts a checked file in place for its URL, by rename; returns where it is now. */
    Path store(Path checked, String url, String name) throws IOException {
        Path dir = Files.createDirectories(root.resolve(key(url)));
        Path urlFile = dir.resolve("url");
        if (!Files.isRegularFile(urlFile)) {
            Path t = Files.createTempFile(dir, ".url", ".tmp");
            Files.writeString(t, url + "\n");
            Files.move(t, urlFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        Path target = dir.resolve(name);
        Files.move(checked, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return target;
    }

    /**
     * Serialises the work on one URL across processes and threads: a second fetch of the same archive waits for the
     * first, then finds it in the cache.
     */
    LockFile lock(String url, Consumer<String> waiting) {
        Path file = locks.resolve(key(url) + ".lock");
        try {
            Files.createDirectories(locks);
            return LockFile.acquire(file, () -> waiting.accept("waiting for another jkraft fetching " + url));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserException("interrupted while waiting for another jkraft fetching " + url);
        } catch (IOException e) {
            throw new UserException("cannot lock " + file + ": " + e.getMessage(), "check that " + root + " is writable", e);
        }
    }

    private static String safe(String name) {
        String s = name.replaceAll("[^A-Za-z0-9._-]", "_");
        return s.length() > 60 ? s.substring(0, 60) : s;
    }
}
