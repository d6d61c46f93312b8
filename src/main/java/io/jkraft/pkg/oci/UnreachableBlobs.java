package io.jkraft.pkg.oci;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** What {@link OciLayout#prune} deletes: every blob that no tagged image reaches through its index and manifests. */
final class UnreachableBlobs {
    private final OciLayout layout;
    /** The hex digests reached, the blobs' file names. */
    private final Set<String> reachable = new HashSet<>();

    UnreachableBlobs(OciLayout layout, List<Descriptor> tagged) {
        this.layout = layout;
        tagged.forEach(this::mark);
    }

    private void mark(Descriptor d) {
        if (!reachable.add(d.hex()) || !layout.hasBlob(d.digest())) {
            return;
        }
        if (OciLayout.isIndex(d.mediaType())) {
            layout.readIndex(d).manifests().forEach(this::mark);
        } else if (OciLayout.isManifest(d.mediaType())) {
            layout.readManifest(d).blobs().forEach(this::mark);
        }
    }

    /** Deletes the unreached blobs of {@code blobs} last changed before {@code cutoff}; returns the bytes freed. */
    long delete(Path blobs, Instant cutoff) {
        return delete(blobs, f -> !reachable.contains(f.getFileName().toString()), cutoff);
    }

    /** Deletes every file of {@code dir} last changed before {@code cutoff}; returns the bytes freed. */
    static long deleteOlder(Path dir, Instant cutoff) {
        return delete(dir, f -> true, cutoff);
    }

    private static long delete(Path dir, Predicate<Path> unwanted, Instant cutoff) {
        long freed = 0;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                if (unwanted.test(f) && Files.getLastModifiedTime(f).toInstant().isBefore(cutoff)) {
                    long size = Files.size(f);
                    if (Files.deleteIfExists(f)) {
                        freed += size;
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return freed;
    }
}
