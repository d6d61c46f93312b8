package io.jkraft.pkg.oci;

import io.jkraft.common.Digest;
import io.jkraft.common.UserException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * A content-addressed store that is, at every moment, a valid OCI image layout: {@code oci-layout},
 * {@code index.json} and {@code blobs/sha256/<hex>}, so that skopeo, crane or oras can read it.
 *
 * <p>Several jkraft processes may use one store. Blobs are written to {@code tmp/} and renamed into
 * place once their digest is known, so a killed writer leaves at most a temporary file and never a
 * blob whose content disagrees with its name. {@code index.json} is rewritten the same way, under an
 * exclusive lock on {@code index.lock}, so that two processes tagging at once do not lose a tag.
 */
public final class OciLayout {
    public static final String INDEX_MEDIA_TYPE = "application/vnd.oci.image.index.v1+json";
    public static final String MANIFEST_MEDIA_TYPE = "application/vnd.oci.image.manifest.v1+json";
    public static final String REF_NAME = "org.opencontainers.image.ref.name";
    public static final String DOCKER_LIST_MEDIA_TYPE = "application/vnd.docker.distribution.manifest.list.v2+json";
    public static final String DOCKER_MANIFEST_MEDIA_TYPE = "application/vnd.docker.distribution.manifest.v2+json";

    /** Whether a descriptor points at an index; Docker's manifest list is read as one (pulled images may have it). */
    public static boolean isIndex(String mediaType) {
        return INDEX_MEDIA_TYPE.equals(mediaType) || DOCKER_LIST_MEDIA_TYPE.equals(mediaType);
    }

    /** Whether a descriptor points at an image manifest, OCI's or Docker's v2. */
    public static boolean isManifest(String mediaType) {
        return MANIFEST_MEDIA_TYPE.equals(mediaType) || DOCKER_MANIFEST_MEDIA_TYPE.equals(mediaType);
    }

    private static final Duration DEFAULT_GRACE = Duration.ofMinutes(10);

    private final Path root;
    private final Path blobs;
    private final Path tmp;

    private OciLayout(Path root) {
        this.root = root;
        this.blobs = root.resolve("blobs/sha256");
        this.tmp = root.resolve("tmp");
    }

    /** Opens the store at {@code root}, creating an empty layout when there is none. */
    public static OciLayout open(Path root) {
        OciLayout layout = new OciLayout(root.toAbsolutePath());
        try {
            Files.createDirectories(layout.blobs);
            Files.createDirectories(layout.tmp);
            layout.createIfMissing(root.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
            layout.createIfMissing(root.resolve("index.json"),
                    "{\"schemaVersion\":2,\"mediaType\":\"" + INDEX_MEDIA_TYPE + "\",\"manifests\":[]}");
        } catch (IOException e) {
            throw new UserException("cannot create the image store at " + root + ": " + e.getMessage(),
                    "check that the folder is writable", e);
        }
        return layout;
    }

    public Path root() {
        return root;
    }

    private void createIfMissing(Path file, String content) throws IOException {
        if (Files.exists(file)) {
            return;
        }
        Path t = Files.createTempFile(tmp, "init-", ".tmp");
        Files.writeString(t, content);
        try {
            // A plain move would replace a file another process created meanwhile; link refuses to.
            Files.createLink(file, t);
        } catch (FileAlreadyExistsException ignored) {
            // someone else initialised it first; theirs is equally valid
        } finally {
            Files.deleteIfExists(t);
        }
    }

    public Descriptor putBlob(byte[] content, String mediaType) {
        return putBlob(new ByteArrayInputStream(content), mediaType);
    }

    public Descriptor putBlob(Path file, String mediaType) {
        try (InputStream in = Files.newInputStream(file)) {
            return putBlob(in, mediaType);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Stores the stream's content and returns its descriptor; storing the same content twice is a no-op. */
    public Descriptor putBlob(InputStream content, String mediaType) {
        Path t = null;
        try {
            t = Files.createTempFile(tmp, "blob-", ".tmp");
            Digest.Hasher hasher = Digest.hasher();
            long size;
            try (FileChannel ch = FileChannel.open(t, StandardOpenOption.WRITE);
                 OutputStream out = hasher.adding(java.nio.channels.Channels.newOutputStream(ch))) {
                size = content.transferTo(out);
                out.flush();
                ch.force(true);
            }
            Digest digest = hasher.digest();
            Path target = blobPath(digest);
            if (!Files.exists(target)) {
                Files.move(t, target, StandardCopyOption.ATOMIC_MOVE);
            }
            return new Descriptor(mediaType, digest, size);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store a blob in " + root, e);
        } finally {
            deleteQuietly(t);
        }
    }

    /**
     * A set of blobs written to {@code tmp/}, each checked against its descriptor, and renamed into place
     * only by {@link BlobBatch#commit()}: a pull that fails half-way stores nothing.
     */
    public BlobBatch batch() {
        return new BlobBatch(this, tmp);
    }

    /**
     * Moves a verified temporary file into place as the blob {@code digest}, replacing a blob of another size
     * (one cut short by a crash, see {@link BlobBatch}).
     */
    void adopt(Path verified, Digest digest) throws IOException {
        Path target = blobPath(digest);
        if (!Files.exists(target) || Files.size(target) != Files.size(verified)) {
            Files.move(verified, target, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    public boolean hasBlob(Digest digest) {
        return Files.isRegularFile(blobPath(digest));
    }

    /** Whether the store holds the blob at its full size: one cut short (see {@link BlobBatch}) counts as missing. */
    public boolean hasBlob(Descriptor d) {
        try {
            return Files.size(blobPath(d.digest())) == d.size();
        } catch (IOException e) {
            return false;
        }
    }

    /** Opens a blob; the stream fails at its end when the content does not match the descriptor. */
    public InputStream openBlob(Descriptor d) {
        Path file = blobPath(d.digest());
        try {
            long actual = Files.size(file);
            if (actual != d.size()) {
                throw corrupt(d, "it is " + actual + " bytes, expected " + d.size());
            }
            return new VerifyingInputStream(Files.newInputStream(file), d, () -> corrupt(d, "its content changed"));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new UserException("blob " + d.digest() + " is missing from the image store " + root,
                    "pull or pack the image again");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads a whole blob, verified. */
    public byte[] readBlob(Descriptor d) {
        try (InputStream in = openBlob(d)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Checks a blob's content against its descriptor without keeping it. */
    public void verifyBlob(Descriptor d) {
        try (InputStream in = openBlob(d)) {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads a blob, verified, as an image index. */
    public OciIndex readIndex(Descriptor d) {
        return read(d, OciJson::index, "an image index");
    }

    /** Reads a blob, verified, as an image manifest. */
    public OciManifest readManifest(Descriptor d) {
        return read(d, OciJson::manifest, "an image manifest");
    }

    /** Reads a blob, verified, as an image config. */
    public ImageConfig readConfig(Descriptor d) {
        return read(d, OciJson::config, "an image config");
    }

    private <T> T read(Descriptor d, OciJson.Reader<T> reader, String what) {
        try {
            return reader.read(readBlob(d));
        } catch (IOException e) {
            throw corrupt(d, "it is not " + what + ": " + e.getMessage());
        }
    }

    /** The manifests of an image: an index's, or the image itself when it is a manifest. */
    public List<Descriptor> manifestsOf(Descriptor image) {
        return isIndex(image.mediaType()) ? readIndex(image).manifests() : List.of(image);
    }

    private UserException corrupt(Descriptor d, String why) {
        return new UserException("blob " + d.digest() + " in the image store " + root + " is corrupt: " + why,
                "remove the image and pack or pull it again");
    }

    /** A digest's hex is 64 hex digits, so this names a file inside {@code blobs/} whatever a document said. */
    Path blobPath(Digest digest) {
        return blobs.resolve(digest.hex());
    }

    /** Points {@code ref} at an image index (or manifest), replacing what it pointed at before. */
    public void tag(Reference ref, Descriptor target) {
        String name = ref.toString();
        Map<String, String> annotations = new LinkedHashMap<>(target.annotations());
        annotations.put(REF_NAME, name);
        Descriptor entry = target.with(annotations, target.platform());
        updateIndex(entries -> {
            List<Descriptor> next = new ArrayList<>();
            entries.stream().filter(e -> !name.equals(e.annotations().get(REF_NAME))).forEach(next::add);
            next.add(entry);
            return next;
        });
    }

    /** What {@code ref} points at: by its name, or for a digest reference, any entry with that digest. */
    public Optional<Descriptor> resolve(Reference ref) {
        List<Descriptor> entries = entries();
        if (ref.digest() != null) {
            return entries.stream().filter(e -> e.digest().equals(ref.digest())).findFirst();
        }
        return entries.stream().filter(e -> ref.toString().equals(e.annotations().get(REF_NAME))).findFirst();
    }

    /** The tagged entries of {@code index.json}, each with its reference in {@link #REF_NAME}. */
    public List<Descriptor> list() {
        return entries();
    }

    /** Untags {@code ref}; its blobs stay until {@link #prune()}. Returns false when it was not tagged. */
    public boolean remove(Reference ref) {
        boolean[] removed = {false};
        updateIndex(entries -> {
            List<Descriptor> next = new ArrayList<>(entries);
            removed[0] = next.removeIf(e -> ref.toString().equals(e.annotations().get(REF_NAME)));
            return next;
        });
        return removed[0];
    }

    /** Deletes blobs no tag reaches and leftover temporary files, sparing those younger than ten minutes. */
    public long prune() {
        return prune(DEFAULT_GRACE);
    }

    /**
     * Deletes unreachable blobs and temporary files older than {@code grace}: a pack running in another
     * process writes its blobs before it tags them, and must not lose them meanwhile.
     *
     * @return bytes freed
     */
    public long prune(Duration grace) {
        long[] freed = {0};
        Instant cutoff = Instant.now().minus(grace);
        withIndexLock(() -> {
            UnreachableBlobs unreachable = new UnreachableBlobs(this, entries());
            freed[0] += unreachable.delete(blobs, cutoff);
            freed[0] += UnreachableBlobs.deleteOlder(tmp, cutoff);
            return null;
        });
        return freed[0];
    }

    private List<Descriptor> entries() {
        return storeIndex().manifests();
    }

    private OciIndex storeIndex() {
        try {
            return OciJson.index(Files.readAllBytes(root.resolve("index.json")));
        } catch (IOException e) {
            throw new UserException("cannot read " + root.resolve("index.json") + ": " + e.getMessage(),
                    "the image store is damaged; move it away to start afresh", e);
        }
    }

    private void updateIndex(UnaryOperator<List<Descriptor>> change) {
        withIndexLock(() -> {
            // what another tool wrote there (annotations, fields of later specs) is kept
            OciIndex current = storeIndex();
            OciIndex next = new OciIndex(2, INDEX_MEDIA_TYPE, change.apply(current.manifests()),
                    current.annotations(), current.unknown());
            Path t = Files.createTempFile(tmp, "index-", ".tmp");
            try {
                try (FileChannel ch = FileChannel.open(t, StandardOpenOption.WRITE)) {
                    ch.write(java.nio.ByteBuffer.wrap(OciJson.indentedBytes(next)));
                    ch.force(true);
                }
                Files.move(t, root.resolve("index.json"), StandardCopyOption.ATOMIC_MOVE);
            } finally {
                deleteQuietly(t);
            }
            return null;
        });
    }

    private interface LockedAction {
        Object run() throws IOException;
    }

    private void withIndexLock(LockedAction action) {
        try (FileChannel ch = FileChannel.open(root.resolve("index.lock"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            try (FileLock ignored = lock(ch)) {
                action.run();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot update " + root.resolve("index.json"), e);
        }
    }

    /** File locks belong to the JVM, so threads of this process wait for each other here, not in the kernel. */
    private static FileLock lock(FileChannel ch) throws IOException {
        while (true) {
            try {
                return ch.lock();
            } catch (OverlappingFileLockException e) {
                try {
                    Thread.sleep(2);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while waiting for the image store lock", ie);
                }
            }
        }
    }

    private static void deleteQuietly(Path p) {
        if (p == null) {
            return;
        }
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a leftover temporary file is removed by the next prune
        }
    }
}
