package io.jkraft.registry;

import io.jkraft.common.Digest;
import io.jkraft.common.UserException;
import io.jkraft.pkg.oci.Descriptor;
import io.jkraft.pkg.oci.OciLayout;
import io.jkraft.pkg.oci.Reference;
import io.jkraft.registry.TransferListener.Action;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Pushes one image of the local store with everything it references: each blob is asked for first
 * (HEAD) and skipped when the registry has it, mounted from another repository of the same registry
 * when one is known to hold it, else uploaded (POST, then one PUT, or PATCH chunks and a closing PUT),
 * a few blobs at once; then the manifests, then the index under the tag.
 */
final class ImagePusher {
    private final OciLayout layout;
    private final RegistryClient client;
    private final TransferListener listener;
    private final long chunkSize;

    ImagePusher(OciLayout layout, RegistryClient client, TransferListener listener, long chunkSize) {
        this.layout = layout;
        this.client = client;
        this.listener = listener;
        this.chunkSize = chunkSize;
    }

    Descriptor push(Reference ref, Descriptor top, Map<Digest, String> mountSources) {
        String repo = ref.repository();
        String scope = RegistryClient.scope(repo, "pull,push");
        List<Descriptor> manifests = layout.manifestsOf(top);
        Map<Digest, Descriptor> blobs = new LinkedHashMap<>();
        for (Descriptor m : manifests) {
            layout.readManifest(m).blobs().forEach(b -> blobs.putIfAbsent(b.digest(), b));
        }
        ParallelTransfers.forEach(new ArrayList<>(blobs.values()),
                blob -> pushBlob(repo, scope, blob, mountSources.get(blob.digest())));
        if (OciLayout.isIndex(top.mediaType())) {
            for (Descriptor m : manifests) {
                putManifest(repo, scope, m.digest().toString(), m);
            }
        }
        putManifest(repo, scope, ref.tag() != null ? ref.tag() : ref.digest().toString(), top);
        return top;
    }

    private void pushBlob(String repo, String scope, Descriptor blob, String mountFrom) {
        HttpResponse<InputStream> head = client.send(new RegistryClient.Request("HEAD",
                client.url(repo, "blobs/" + blob.digest()), Map.of(), BodyPublishers::noBody, scope));
        RegistryErrors.drain(head);
        if (head.statusCode() == 200) {
            listener.transferred(Action.EXISTS, blob);
            return;
        }
        if (head.statusCode() != 404) {
            throw client.fail(head, "blob " + blob.digest() + " of " + repo);
        }
        HttpResponse<InputStream> started;
        if (mountFrom != null) {
            started = post(repo, "blobs/uploads/?mount=" + RegistryClient.enc(blob.digest().toString()) + "&from="
                    + RegistryClient.enc(mountFrom), scope + " " + RegistryClient.scope(mountFrom, "pull"));
            if (started.statusCode() == 201) {
                RegistryErrors.drain(started);
                listener.transferred(Action.MOUNTED, blob);
                return;
            }
        } else {
            started = post(repo, "blobs/uploads/", scope);
        }
        if (started.statusCode() != 202) {
            throw client.fail(started, "an upload to " + repo);
        }
        RegistryErrors.drain(started);
        URI location = location(started, repo);
        if (blob.size() > chunkSize) {
            location = uploadChunks(repo, scope, blob, location);
        } else {
            location = withDigest(location, blob);
            HttpResponse<InputStream> put = client.send(new RegistryClient.Request("PUT", location,
                    Map.of("Content-Type", "application/octet-stream"),
                    () -> BodyPublishers.fromPublisher(BodyPublishers.ofInputStream(() -> layout.openBlob(blob)),
                            blob.size()), scope));
            finish(put, repo, blob);
            listener.transferred(Action.UPLOADED, blob);
            return;
        }
        HttpResponse<InputStream> put = client.send(new RegistryClient.Request("PUT", withDigest(location, blob),
                Map.of(), BodyPublishers::noBody, scope));
        finish(put, repo, blob);
        listener.transferred(Action.UPLOADED, blob);
    }

    private URI uploadChunks(String repo, String scope, Descriptor blob, URI location) {
        try (InputStream in = layout.openBlob(blob)) {
            long offset = 0;
            while (offset < blob.size()) {
                byte[] chunk = in.readNBytes((int) Math.min(chunkSize, blob.size() - offset));
                if (chunk.length == 0) {
                    break;
                }
                String range = offset + "-" + (offset + chunk.length - 1);
                HttpResponse<InputStream> patch = client.send(new RegistryClient.Request("PATCH", location,
                        Map.of("Content-Type", "application/octet-stream", "Content-Range", range),
                        () -> BodyPublishers.ofByteArray(chunk), scope));
                if (patch.statusCode() != 202) {
                    throw client.fail(patch, "a chunk of " + blob.digest() + " for " + repo);
                }
                RegistryErrors.drain(patch);
                location = location(patch, repo);
                offset += chunk.length;
            }
            in.transferTo(java.io.OutputStream.nullOutputStream()); // lets the local stream verify the blob
            return location;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private HttpResponse<InputStream> post(String repo, String rest, String scope) {
        return client.send(new RegistryClient.Request("POST", client.url(repo, rest), Map.of(),
                BodyPublishers::noBody, scope));
    }

    private void finish(HttpResponse<InputStream> put, String repo, Descriptor blob) {
        if (put.statusCode() != 201) {
            throw client.fail(put, "blob " + blob.digest() + " for " + repo);
        }
        RegistryErrors.drain(put);
        checkDigest(put, blob);
    }

    private void putManifest(String repo, String scope, String reference, Descriptor d) {
        byte[] bytes = layout.readBlob(d);
        HttpResponse<InputStream> r = client.send(new RegistryClient.Request("PUT",
                client.url(repo, "manifests/" + reference), Map.of("Content-Type", d.mediaType()),
                () -> HttpRequest.BodyPublishers.ofByteArray(bytes), scope));
        if (r.statusCode() != 201) {
            throw client.fail(r, "manifest " + reference + " of " + repo);
        }
        RegistryErrors.drain(r);
        checkDigest(r, d);
        listener.transferred(Action.MANIFEST, d);
    }

    private void checkDigest(HttpResponse<InputStream> r, Descriptor expected) {
        Optional<String> got = r.headers().firstValue("Docker-Content-Digest");
        if (got.isPresent() && !got.get().equals(expected.digest().toString())) {
            throw new UserException(client.registry() + " stored " + got.get() + " where " + expected.digest()
                    + " was sent", "the registry or something between changed the content; try again");
        }
    }

    /** The upload session's URL; registries answer with an absolute or a relative Location. */
    private URI location(HttpResponse<InputStream> r, String repo) {
        String loc = r.headers().firstValue("Location").orElseThrow(() -> new UserException(client.registry()
                + " started an upload to " + repo + " without saying where (no Location header)", null));
        return r.request().uri().resolve(loc);
    }

    private static URI withDigest(URI location, Descriptor blob) {
        String s = location.toString();
        return URI.create(s + (s.contains("?") ? "&" : "?") + "digest=" + RegistryClient.enc(blob.digest().toString()));
    }
}
