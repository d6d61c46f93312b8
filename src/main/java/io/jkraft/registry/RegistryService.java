package io.jkraft.registry;

import io.jkraft.common.Digest;
import io.jkraft.common.Invocation;
import io.jkraft.common.UserException;
import io.jkraft.config.JkraftConfig;
import io.jkraft.config.JkraftPaths;
import io.jkraft.pkg.oci.Descriptor;
import io.jkraft.pkg.oci.OciLayout;
import io.jkraft.pkg.oci.Reference;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * `pkg push`, `pkg pull`, `login` and `logout`: moves images between the local store and OCI registries.
 *
 * <p>Each tag of the local store that was pushed to or pulled from a repository records it in the
 * annotation {@value #SOURCE}; a later push to another repository of the same registry mounts the
 * blobs that repository holds instead of uploading them again.
 */
public final class RegistryService implements AutoCloseable {
    /** Comma-separated {@code registry/repository} names known to hold the tagged image. */
    public static final String SOURCE = "io.jkraft.registry.source";
    static final long DEFAULT_CHUNK = 64L << 20;

    private final Path storeDir;
    private final CredentialStore credentials;
    private final TransportPolicy policy;
    private final TransferListener listener;
    private final HttpTransport http;
    private final long chunkSize;
    private final Duration backoff;

    /** @param invocation Docker's config and credential helpers are found through its folder and environment */
    public RegistryService(JkraftPaths paths, JkraftConfig config, Invocation invocation, TransferListener listener) {
        this(paths.dataDir().resolve("oci"), new CredentialStore(paths.configDir().resolve("auth.json"),
                CredentialStore.dockerConfig(invocation), invocation), config.insecureRegistries(), listener,
                DEFAULT_CHUNK, Duration.ofMillis(250));
    }

    RegistryService(Path storeDir, CredentialStore credentials, java.util.List<String> insecure,
            TransferListener listener, long chunkSize, Duration backoff) {
        this(storeDir, credentials, insecure, listener, chunkSize, backoff, HttpTransport.Timeouts.DEFAULT);
    }

    /** @param timeouts how long a registry may keep this service waiting (tests give short ones) */
    RegistryService(Path storeDir, CredentialStore credentials, java.util.List<String> insecure,
            TransferListener listener, long chunkSize, Duration backoff, HttpTransport.Timeouts timeouts) {
        this.storeDir = storeDir;
        this.credentials = credentials;
        this.policy = new TransportPolicy(insecure);
        this.listener = listener;
        this.http = new HttpTransport(timeouts);
        this.chunkSize = chunkSize;
        this.backoff = backoff;
    }

    /** A service that uploads blobs larger than {@code bytes} in chunks of that size (tests use small ones). */
    public RegistryService withChunkSize(long bytes) {
        return new RegistryService(storeDir, credentials, policy.insecureRegistries(), listener, bytes, backoff,
                http.timeouts());
    }

    private RegistryClient client(String registry) {
        return new RegistryClient(registry, policy, () -> credentials.find(registry), http, backoff);
    }

    /** Pushes the local image {@code reference} (index, manifests, configs, layers) to its registry. */
    public Descriptor push(String reference) {
        Reference ref = Reference.parse(reference);
        OciLayout layout = OciLayout.open(storeDir);
        Descriptor top = layout.resolve(ref).orElseThrow(() -> new UserException(
                "no image " + ref + " in the local store; `jkraft pkg ls` lists them",
                "pack one with `jkraft pkg -n " + ref + " DIR`, or push one of those"));
        Descriptor plain = top.with(withoutRefName(top.annotations()), top.platform());
        new ImagePusher(layout, client(ref.registry()), listener, chunkSize)
                .push(ref, plain, mountSources(layout, ref));
        record(layout, ref, top);
        return plain;
    }

    /**
     * Pulls {@code reference} into the local store and tags it there, so that `run REF` finds it.
     *
     * @param plat only the manifests of this platform (null: all); likewise {@code arch}
     */
    public Descriptor pull(String reference, String plat, String arch) {
        Reference ref = Reference.parse(reference);
        OciLayout layout = OciLayout.open(storeDir);
        Descriptor stored = new ImagePuller(layout, client(ref.registry()), listener).pull(ref, plat, arch);
        // tagged with its source in one rewrite of index.json (a tag replaces the entry's annotations anyway)
        Map<String, String> annotations = new HashMap<>(stored.annotations());
        annotations.put(SOURCE, ref.name());
        layout.tag(ref, stored.with(annotations, stored.platform()));
        return stored;
    }

    /** Checks the credentials with the registry, then stores them in jkraft's credentials file. */
    public void login(String registry, String username, String password) {
        String host = CredentialStore.stripUrl(registry);
        Credentials c = Credentials.basic(username, password);
        new RegistryClient(host, policy, () -> Optional.of(c), http, backoff).checkCredentials();
        credentials.save(host, c);
    }

    /** Forgets the credentials jkraft stored for the registry; false when there were none. */
    public boolean logout(String registry) {
        return credentials.remove(CredentialStore.stripUrl(registry));
    }

    /** Closes the HTTP clients (their threads would otherwise hold up the JVM's exit). */
    @Override
    public void close() {
        http.close();
    }

    private static Map<String, String> withoutRefName(Map<String, String> annotations) {
        Map<String, String> a = new HashMap<>(annotations);
        a.remove(OciLayout.REF_NAME);
        a.remove(SOURCE);
        return a;
    }

    /** Adds the reference's repository to the tag's recorded sources. */
    private static void record(OciLayout layout, Reference ref, Descriptor tagged) {
        Descriptor current = layout.resolve(ref).orElse(tagged);
        if (!current.digest().equals(tagged.digest())) {
            return; // re-tagged meanwhile by another process; its record is not ours to extend
        }
        Set<String> sources = new LinkedHashSet<>();
        String known = current.annotations().get(SOURCE);
        if (known != null && !known.isBlank()) {
            sources.addAll(java.util.List.of(known.split(",")));
        }
        if (sources.add(ref.name())) {
            Map<String, String> a = new HashMap<>(current.annotations());
            a.put(SOURCE, String.join(",", sources));
            layout.tag(ref, current.with(a, current.platform()));
        }
    }

    /** Blob digest to another repository of the same registry known to hold it (from the recorded sources). */
    static Map<Digest, String> mountSources(OciLayout layout, Reference target) {
        Map<Digest, String> from = new HashMap<>();
        String prefix = target.registry() + "/";
        for (Descriptor entry : layout.list()) {
            String sources = entry.annotations().get(SOURCE);
            if (sources == null) {
                continue;
            }
            for (String source : sources.split(",")) {
                if (!source.startsWith(prefix) || source.equals(target.name())) {
                    continue;
                }
                String repo = source.substring(prefix.length());
                try {
                    for (Digest digest : reachable(layout, entry)) {
                        from.putIfAbsent(digest, repo);
                    }
                } catch (UserException incomplete) {
                    // an entry with blobs missing locally offers nothing to mount
                }
            }
        }
        return from;
    }

    /** The digests of the configs and layers of an image: the blobs a registry can mount. */
    private static Set<Digest> reachable(OciLayout layout, Descriptor top) {
        Set<Digest> digests = new LinkedHashSet<>();
        for (Descriptor m : layout.manifestsOf(top)) {
            layout.readManifest(m).blobs().forEach(b -> digests.add(b.digest()));
        }
        return digests;
    }
}
