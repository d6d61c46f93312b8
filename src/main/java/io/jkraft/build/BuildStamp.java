package io.jkraft.build;

import io.jkraft.common.Digest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A digest of everything a build depends on, saved beside the build output after a successful build.
 * When the next build computes the same digest and the kernel is still there, make need not run at all.
 * App files count by path, size and modification time: reading their contents would cost more than
 * the no-op make it replaces.
 */
final class BuildStamp {
    static final String FILE = ".jkraft-stamp";

    private final Digest.Hasher digest = Digest.hasher();

    BuildStamp add(String label, String value) {
        digest.update(label + "=" + value + "\n");
        return this;
    }

    /** Adds the files of a folder, skipping build output, VCS metadata and the folders named. */
    private static boolean skipped(Path file, String name, Set<Path> skip) {
        return skip.contains(file) || skip.stream().anyMatch(s -> s.getFileName() != null && file.getParent() != null
                && file.getParent().equals(s.getParent()) && name.startsWith("." + s.getFileName()) && name.endsWith(".tmp"));
    }

    BuildStamp addTree(Path root, Set<Path> skip) {
        List<String> entries = new ArrayList<>();
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    String name = dir.getFileName() == null ? "" : dir.getFileName().toString();
                    if (!dir.equals(root) && (skip.contains(dir) || name.equals(".git") || name.equals(".unikraft"))) {
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    String name = file.getFileName().toString();
                    // .config.* files are written by jkraft itself during configure; an empty Makefile.uk of the
                    // app builds as none does (jkraft supplies one while make runs: see AppMakefile); skipped files
                    // (and their temporary files, .NAME*.tmp) while make runs.
                    boolean emptyAppMakefile = name.equals(AppMakefile.NAME) && file.getParent().equals(root)
                            && attrs.size() == 0;
                    if (!name.startsWith(".config") && !emptyAppMakefile && !skipped(file, name, skip)) {
                        entries.add(root.relativize(file) + ":" + attrs.size() + ":"
                                + attrs.lastModifiedTime().toMillis());
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        entries.sort(null);
        entries.forEach(e -> add("file", e));
        return this;
    }

    String value() {
        return digest.digest().hex();
    }

    static boolean matches(Path outDir, String value) {
        try {
            Path f = outDir.resolve(FILE);
            return Files.isRegularFile(f) && Files.readString(f).strip().equals(value);
        } catch (IOException e) {
            return false;
        }
    }

    static void save(Path outDir, String value) {
        try {
            Path tmp = Files.createTempFile(outDir, FILE, ".tmp");
            Files.writeString(tmp, value + "\n");
            Files.move(tmp, outDir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void forget(Path outDir) {
        try {
            Files.deleteIfExists(outDir.resolve(FILE));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
