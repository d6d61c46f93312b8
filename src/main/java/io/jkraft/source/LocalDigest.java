package io.jkraft.source;

import io.jkraft.common.Digest;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

/**
 * A digest of a folder's paths, sizes, modification times and symlink targets: it changes when any file
 * is edited, added, removed or renamed, without reading file contents, so it stays fast on a large tree.
 */
final class LocalDigest {
    /** VCS metadata and jkraft's own build output change on every build without changing the sources. */
    private static final Set<String> SKIPPED = Set.of(".git", ".unikraft");

    private LocalDigest() {}

    static String of(Path dir) throws IOException {
        List<String> lines = new ArrayList<>();
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                if (!d.equals(dir) && SKIPPED.contains(d.getFileName().toString())) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                lines.add("d " + rel(d));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                if (attrs.isSymbolicLink()) {
                    lines.add("l " + rel(f) + " " + Files.readSymbolicLink(f));
                } else {
                    lines.add("f " + rel(f) + " " + attrs.size() + " " + attrs.lastModifiedTime().toMillis()
                            + (Files.isExecutable(f) ? " x" : ""));
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path f, IOException e) {
                // a file vanishing mid-walk is an edit, and the digest of the next walk will show it
                lines.add("? " + rel(f));
                return FileVisitResult.CONTINUE;
            }

            private String rel(Path p) {
                return dir.relativize(p).toString();
            }
        });
        Collections.sort(lines);
        Digest.Hasher hasher = Digest.hasher();
        for (String line : lines) {
            hasher.update(line).update("\n");
        }
        return hasher.digest().hex();
    }
}
