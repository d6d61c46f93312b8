package io.jkraft.registry;

import io.jkraft.common.Digest;
import io.jkraft.common.IdleTimeoutInputStream;
import io.jkraft.common.UserException;
import io.jkraft.pkg.oci.BlobBatch;
import io.jkraft.pkg.oci.Descriptor;
import io.jkraft.pkg.oci.ImagePlatform;
import io.jkraft.pkg.oci.OciIndex;
import io.jkraft.pkg.oci.OciJson;
import io.jkraft.pkg.oci.OciLayout;
import io.jkraft.pkg.oci.OciManifest;
import io.jkraft.pkg.oci.Reference;
import io.jkraft.registry.TransferListener.Action;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pulls an image into the local store: the index or manifest by tag or digest, the manifests for the
 * wanted platforms, their configs and layers. Every manifest and blob is checked against its digest
 * while it is read and staged in a {@link BlobBatch}; the store gets them, and the tag, only when all
 * of them checked out.
 */
final class ImagePuller {
    /** Manifests are small; a larger answer is not one. */
    private static final int MAX_MANIFEST = 4 << 20;

    private final OciLayout layout;
    private final RegistryClient client;
    private final TransferListener listener;

    ImagePuller(OciLayout layout, RegistryClient client, TransferListener listener) {
        this.layout = layout;
        this.client = client;
        this.listener = listener;
    }

    private record Fetched(byte[] bytes, String mediaType, Digest digest) {
        Descriptor descriptor() {
            return new Descriptor(mediaType, digest, bytes.length);
        }
    }

    /**
     * @param plat null for every platform; likewise arch. A digest reference is pulled whole, so that
     *             the stored index keeps the digest it was asked for.
     * @return the descriptor that {@code ref} is tagged with locally
     */
    Descriptor pull(Reference ref, String plat, String arch) {
        String repo = ref.repository();
        String scope = RegistryClient.scope(repo, "pull");
        Fetched top = fetchManifest(repo, scope, ref.digest() != null ? ref.digest().toString() : ref.tag(),
                ref.digest(), -1);
        boolean filter = ref.digest() == null && (plat != null || arch != null);
        Descriptor stored;
        try (BlobBatch batch = layout.batch()) {
            if (OciLayout.isIndex(top.mediaType())) {
                OciIndex index = read(top, OciJson::index);
                List<Descriptor> kept = new ArrayList<>();
                List<String> available = new ArrayList<>();
                List<OciManifest> manifests = new ArrayList<>();
                for (Descriptor m : index.manifests()) {
                    ImagePlatform p = m.platform() == null ? new ImagePlatform("", "", null, null) : m.platform();
                    available.add(p.platArch());
                    if (filter && ((plat != null && !plat.equals(p.os()))
                            || (arch != null && !arch.equals(p.architecture())))) {
                        continue;
                    }
                    Fetched manifest = fetchManifest(repo, scope, m.digest().toString(), m.digest(), m.size());
                    manifests.add(read(manifest, OciJson::manifest));
                    batch.put(manifest.bytes(), manifest.descriptor(), "manifest " + m.digest());
                    listener.transferred(Action.MANIFEST, manifest.descriptor());
                    kept.add(m);
                }
                if (kept.isEmpty()) {
                    throw new UserException(ref + " has no kernel for " + (plat == null ? "*" : plat) + "/"
                            + (arch == null ? "*" : arch) + "; it has " + String.join(", ", available),
                            "choose one of those with -p/--plat and -m/--arch, or pull all of them");
                }
                pullBlobs(repo, scope, manifests, batch);
                if (kept.size() < index.manifests().size()) {
                    // the index stored locally lists only what was pulled, so that every blob it names is there
                    top = digested(OciJson.bytes(index.withManifests(kept)), top.mediaType());
                }
            } else if (OciLayout.isManifest(top.mediaType())) {
                pullBlobs(repo, scope, List.of(read(top, OciJson::manifest)), batch);
            } else {
                throw new UserException(ref + " is a " + top.mediaType() + ", not an image index or manifest",
                        "jkraft pulls OCI images and Docker v2 manifests");
            }
            stored = top.descriptor();
            batch.put(top.bytes(), stored, "the index of " + ref);
            batch.commit();
        }
        listener.transferred(Action.MANIFEST, stored);
        return stored;
    }

    /** The configs and layers of {@code manifests}, each once, a few at a time. */
    private void pullBlobs(String repo, String scope, List<OciManifest> manifests, BlobBatch batch) {
        Map<Digest, Descriptor> blobs = new LinkedHashMap<>();
        for (OciManifest manifest : manifests) {
            manifest.blobs().forEach(b -> blobs.putIfAbsent(b.digest(), b));
        }
        ParallelTransfers.forEach(new ArrayList<>(blobs.values()), blob -> pullBlob(repo, scope, blob, batch));
    }

    private void pullBlob(String repo, String scope, Descriptor blob, BlobBatch batch) {
        if (layout.hasBlob(blob) || batch.contains(blob.digest())) {
            listener.transferred(Action.CACHED, blob);
            return;
        }
        HttpResponse<InputStream> r = client.send(RegistryClient.Request.get(
                client.url(repo, "blobs/" + blob.digest()), scope, Map.of()));
        if (r.statusCode() != 200) {
            throw client.fail(r, "blob " + blob.digest() + " of " + repo);
        }
        try (InputStream in = r.body()) {
            batch.put(in, blob, "blob " + blob.digest() + " from " + client.registry() + "/" + repo);
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof IdleTimeoutInputStream.Stalled stalled) {
                throw RegistryErrors.unreachable(client.registry(), r.uri(), stalled, null);
            }
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        listener.transferred(Action.DOWNLOADED, blob);
    }

    private Fetched fetchManifest(String repo, String scope, String reference, Digest expectedDigest, long expectedSize) {
        HttpResponse<InputStream> r = client.send(RegistryClient.Request.get(client.url(repo, "manifests/" + reference),
                scope, Map.of("Accept", String.join(", ", RegistryClient.MANIFEST_TYPES))));
        if (r.statusCode() != 200) {
            throw client.fail(r, "image " + repo + ":" + reference);
        }
        byte[] bytes;
        try (InputStream in = r.body()) {
            bytes = in.readNBytes(MAX_MANIFEST + 1);
        } catch (IOException e) {
            throw RegistryErrors.unreachable(client.registry(), r.uri(), e, null);
        }
        if (bytes.length > MAX_MANIFEST) {
            throw new UserException(client.registry() + " sent more than 4 MiB for the manifest " + repo + ":" + reference,
                    "that is no image manifest");
        }
        String contentType = r.headers().firstValue("Content-Type").orElse("").replaceFirst(";.*", "").strip();
        String named = mediaType(bytes);
        Fetched f = digested(bytes, named != null ? named : contentType);
        String claimed = r.headers().firstValue("Docker-Content-Digest").orElse(null);
        String expected = expectedDigest != null ? expectedDigest.toString() : claimed;
        if ((expected != null && !expected.equals(f.digest().toString()))
                || (expectedSize >= 0 && expectedSize != bytes.length)) {
            throw new UserException("the manifest " + repo + ":" + reference + " from " + client.registry()
                    + " does not match its digest " + expected + " (got " + f.digest() + "); nothing was stored",
                    "try again; if it persists, the registry's copy is corrupt");
        }
        return f;
    }

    private String mediaType(byte[] bytes) {
        try {
            return OciJson.mediaType(bytes);
        } catch (IOException e) {
            throw notReadable(e);
        }
    }

    private <T> T read(Fetched f, OciJson.Reader<T> reader) {
        try {
            return reader.read(f.bytes());
        } catch (IOException e) {
            throw notReadable(e);
        }
    }

    private UserException notReadable(IOException e) {
        return new UserException(client.registry() + ("it is not JSON".equals(e.getMessage())
                ? " sent a manifest that is not JSON" : " sent a manifest jkraft cannot read: " + e.getMessage()), null);
    }

    private static Fetched digested(byte[] bytes, String mediaType) {
        return new Fetched(bytes, mediaType, Digest.of(bytes));
    }
}
