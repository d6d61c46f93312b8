package io.jkraft.pkg.oci;

import io.jkraft.common.Digest;
import io.jkraft.common.UserException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Blobs staged in the store's {@code tmp/} folder, each verified against the descriptor it was fetched
 * for, and moved into {@code blobs/} together by {@link #commit()}. Closing an uncommitted batch deletes
 * what it staged, so content from a registry reaches the store only when all of it checked out.
 *
 * <p>Staged files are not fsynced: atomicity comes from the rename (a reader sees a whole blob or none, and a
 * killed process leaves only a temporary file). What the rename does not give without an fsync is durability
 * across a power loss or kernel crash, after which a renamed blob may be empty or short. Such a blob is never
 * used silently: every read checks its size and digest, a pull counts a blob of the wrong size as missing
 * and {@link OciLayout#adopt} replaces it. An fsync per blob cost 2-4 ms each on the development machine.
 */
public final class BlobBatch implements AutoCloseable {
    private final OciLayout layout;
    private final Path tmp;
    /** Guarded by itself: several transfers stage into one batch at once. */
    private final Map<Digest, Path> staged = new LinkedHashMap<>();

    BlobBatch(OciLayout layout, Path tmp) {
        this.layout = layout;
        this.tmp = tmp;
    }

    /**
     * Stages the stream's content as {@code expected}; reads no more than its size plus one byte, and
     * throws (staging nothing) when the size or digest differs. {@code source} names the content in the message.
     */
    public void put(InputStream content, Descriptor expected, String source) {
        if (contains(expected.digest())) {
            return;
        }
        Path t = null;
        try {
            t = Files.createTempFile(tmp, "pull-", ".tmp");
            UserException mismatch = new UserException(source + " does not match its digest " + expected.digest()
                    + " (or its size " + expected.size() + "): it was changed or damaged; nothing was stored",
                    "try again; if it persists, the registry's copy is corrupt");
            try (InputStream bounded = new VerifyingInputStream(
                    new BoundedInputStream(content, expected.size() + 1), expected, () -> mismatch);
                 OutputStream out = Files.newOutputStream(t, StandardOpenOption.WRITE)) {
                bounded.transferTo(out);
            }
            synchronized (staged) {
                if (staged.putIfAbsent(expected.digest(), t) == null) {
                    t = null; // kept; else another transfer staged the same content first and this copy goes
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stage " + source + " in " + tmp, e);
        } finally {
            deleteQuietly(t);
        }
    }

    /** Stages bytes already in memory (a manifest that was digested when fetched). */
    public void put(byte[] content, Descriptor expected, String source) {
        put(new java.io.ByteArrayInputStream(content), expected, source);
    }

    public boolean contains(Digest digest) {
        synchronized (staged) {
            return staged.containsKey(digest);
        }
    }

    /** Moves every staged blob into place, in the order they were staged. */
    public void commit() {
        try {
            for (Map.Entry<Digest, Path> e : snapshot().entrySet()) {
                layout.adopt(e.getValue(), e.getKey());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store blobs in " + layout.root(), e);
        } finally {
            close();
        }
    }

    @Override
    public void close() {
        snapshot().values().forEach(BlobBatch::deleteQuietly);
        synchronized (staged) {
            staged.clear();
        }
    }

    private Map<Digest, Path> snapshot() {
        synchronized (staged) {
            return new LinkedHashMap<>(staged);
        }
    }

    private static void deleteQuietly(Path p) {
        if (p == null) {
            return;
        }
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // prune removes leftover temporary files
        }
    }

    /** Ends after {@code limit} bytes, so that an endless response cannot fill the disk. */
    private static final class BoundedInputStream extends java.io.FilterInputStream {
        private long left;

        BoundedInputStream(InputStream in, long limit) {
            super(in);
            this.left = limit;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = super.read(b, off, (int) Math.min(len, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }
    }
}
