package io.jkraft.index;

import io.jkraft.common.Durations;
import io.jkraft.common.HttpClientSetup;
import io.jkraft.common.IdleTimeoutInputStream;
import io.jkraft.common.UserException;
import io.jkraft.source.FetchPolicy;
import io.jkraft.source.GitOrigin;
import io.jkraft.source.SourceCache;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Reads every manifest an index source holds, following {@code manifest:} references, and makes each
 * relative resource absolute (relative to the file that names it), so the local copy works from anywhere.
 *
 * <p>A source is an index or manifest file (a path, {@code file://} or {@code https://} URL ending in
 * {@code .yaml}/{@code .yml}), a folder holding {@code index.yaml}, or a git repository holding
 * {@code index.yaml} at its top (any other URL, or a local bare repository), fetched through the source cache.
 */
final class IndexReader {
    static final String INDEX_FILE = "index.yaml";
    private static final int MAX_DEPTH = 8;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);
    /** For the answer's headers, and then for each read of its body. */
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*://.*");
    private static final Pattern SCP_LIKE = Pattern.compile("[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:(?!//).+");

    private final SourceCache cache;
    private final Path workingDir;

    /** @param workingDir a source given as a relative path is relative to it */
    IndexReader(SourceCache cache, Path workingDir) {
        this.cache = cache;
        this.workingDir = workingDir;
    }

    /** The manifests of one source, in the order it lists them. */
    List<Manifest> read(String source) {
        URI document = locate(source);
        List<Manifest> out = new ArrayList<>();
        readDocument(source, document, out, 0);
        return out;
    }

    /** The URI of the YAML document a source names, fetching a git repository first. */
    URI locate(String source) {
        String s = source.strip();
        if (SCHEME.matcher(s).matches() || SCP_LIKE.matcher(s).matches()) {
            String lower = s.toLowerCase(Locale.ROOT);
            URI uri = lower.startsWith("http://") || lower.startsWith("https://") || lower.startsWith("file:")
                    ? uri(s) : null;
            if (uri != null && isYaml(uri.getPath())) {
                return uri;
            }
            if (uri != null && uri.getScheme().equals("file")) {
                return local(Path.of(uri), source);
            }
            return fromGit(s, source);
        }
        try {
            return local(workingDir.resolve(s).normalize(), source);
        } catch (InvalidPathException e) {
            throw new UserException("index source " + source + " is neither a URL nor a path",
                    "pass an index file, a folder or git repository holding index.yaml, or an https URL", e);
        }
    }

    private URI local(Path p, String source) {
        if (Files.isRegularFile(p)) {
            return p.toUri();
        }
        if (Files.isRegularFile(p.resolve(INDEX_FILE))) {
            return p.resolve(INDEX_FILE).toUri();
        }
        if (Files.isDirectory(p) && (Files.isDirectory(p.resolve(".git")) || Files.isRegularFile(p.resolve("HEAD")))) {
            return fromGit(p.toUri().toString(), source);
        }
        throw new UserException("index source " + source + " does not exist or holds no " + INDEX_FILE
                + " (looked at " + p + ")", "pass an index or manifest file, or a folder or git repository holding "
                + INDEX_FILE);
    }

    private URI fromGit(String url, String source) {
        int q = url.indexOf('?');
        String ref = null;
        String bare = url;
        if (q >= 0) {
            bare = url.substring(0, q);
            for (String param : url.substring(q + 1).split("&")) {
                int eq = param.indexOf('=');
                if (eq > 0 && List.of("branch", "tag", "version").contains(param.substring(0, eq))) {
                    ref = param.substring(eq + 1);
                }
            }
        }
        Path tree = cache.fetch(new GitOrigin(bare, ref), FetchPolicy.REFRESH).dir();
        Path index = tree.resolve(INDEX_FILE);
        if (!Files.isRegularFile(index)) {
            throw new UserException("the git repository " + source + " holds no " + INDEX_FILE + " at its top",
                    "point pkg source at a repository, folder or file holding a KraftKit manifest index");
        }
        return index.toUri();
    }

    private void readDocument(String source, URI document, List<Manifest> out, int depth) {
        if (depth > MAX_DEPTH) {
            throw new UserException(document + ": manifest references nest deeper than " + MAX_DEPTH
                    + " (a loop?)", "check the 'manifest:' entries of the index");
        }
        String where = document.getScheme().equals("file") ? Path.of(document).toString() : document.toString();
        ManifestParser.Parsed parsed = new ManifestParser(where, source).parse(fetchText(document));
        for (Manifest m : parsed.manifests()) {
            out.add(absolute(m, document));
        }
        for (ManifestParser.Reference r : parsed.references()) {
            URI next;
            try {
                next = resolve(document, r.manifest());
            } catch (IllegalArgumentException e) {
                throw new UserException(r.location() + ": manifest '" + r.manifest() + "' is not a URL or path",
                        "write a relative path such as ./libs/" + r.name() + ".yaml, or an https URL", e);
            }
            readDocument(source, next, out, depth + 1);
        }
    }

    private static Manifest absolute(Manifest m, URI base) {
        List<Channel> channels = m.channels().stream().map(c -> new Channel(c.name(), c.isDefault(), c.latest(),
                resourceUrl(base, c.resource()), c.sha256())).toList();
        List<ManifestVersion> versions = m.versions().stream().map(v -> new ManifestVersion(v.version(), v.type(),
                resourceUrl(base, v.resource()), v.sha256(), v.unikraft())).toList();
        return new Manifest(m.name(), m.type(), m.description(), m.origin(), m.provider(), channels, versions, m.source());
    }

    /** URLs stay as they are; a relative path becomes a URL relative to the document naming it. */
    static String resourceUrl(URI base, String resource) {
        if (SCHEME.matcher(resource).matches() || SCP_LIKE.matcher(resource).matches()) {
            return resource;
        }
        try {
            return resolve(base, resource).toString();
        } catch (IllegalArgumentException e) {
            return resource;
        }
    }

    private static URI resolve(URI base, String ref) {
        if (SCHEME.matcher(ref).matches()) {
            return uri(ref);
        }
        if (ref.startsWith("/")) {
            return Path.of(ref).toUri();
        }
        String query = "";
        int q = ref.indexOf('?');
        if (q >= 0) {
            query = ref.substring(q);
            ref = ref.substring(0, q);
        }
        // encode spaces and the like as a path, then resolve like a browser resolves a relative link
        URI resolved = base.resolve(URI.create(encodePath(ref)));
        if ("file".equals(resolved.getScheme())) {
            // URI.resolve writes file:/x; the rest of jkraft (and git) expects file:///x
            resolved = Path.of(resolved).toUri();
        }
        return URI.create(resolved + query);
    }

    private static String encodePath(String path) {
        try {
            return new URI(null, null, path, null).getRawPath();
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static URI uri(String s) {
        try {
            return new URI(s);
        } catch (URISyntaxException e) {
            throw new UserException("'" + s + "' is not a valid URL: " + e.getReason(), "check the index source", e);
        }
    }

    private static boolean isYaml(String path) {
        String p = path == null ? "" : path.toLowerCase(Locale.ROOT);
        return p.endsWith(".yaml") || p.endsWith(".yml") || p.endsWith(".json");
    }

    private static String fetchText(URI uri) {
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        try {
            if (scheme.equals("file")) {
                return Files.readString(Path.of(uri), StandardCharsets.UTF_8);
            }
            if (scheme.equals("http") && !loopback(uri.getHost())) {
                throw new UserException("refusing to read " + uri + " over plain HTTP",
                        "use https, or a file or git repository; plain HTTP is only allowed on this machine (loopback)");
            }
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw new UserException("cannot read " + uri + " over " + scheme, "use an https URL or a file");
            }
            // Every wait bounded: the connection, the answer (up to its headers) and each read of the body,
            // which the JDK's client does not bound.
            try (HttpClient client = HttpClientSetup.followingRedirects(CONNECT_TIMEOUT).build()) {
                HttpResponse<InputStream> r = client.send(HttpRequest.newBuilder(uri).timeout(ANSWER_TIMEOUT)
                        .GET().build(), HttpResponse.BodyHandlers.ofInputStream());
                try (InputStream in = new IdleTimeoutInputStream(r.body(), ANSWER_TIMEOUT, r.uri().getRawAuthority())) {
                    if (r.statusCode() / 100 != 2) {
                        throw new UserException("reading " + uri + " failed: HTTP " + r.statusCode(),
                                "check the URL given to jkraft pkg source");
                    }
                    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
        } catch (HttpConnectTimeoutException e) {
            throw new UserException("cannot read " + uri + ": " + uri.getRawAuthority()
                    + " did not accept a connection within " + Durations.words(CONNECT_TIMEOUT),
                    "check the URL and the network", e);
        } catch (HttpTimeoutException e) {
            throw new UserException("cannot read " + uri + ": " + uri.getRawAuthority() + " did not answer within "
                    + Durations.words(ANSWER_TIMEOUT), "the server took the connection but did not answer; try again later", e);
        } catch (IOException e) {
            // a stalled body says who stopped sending
            throw new UserException("cannot read " + uri + ": " + (e instanceof IdleTimeoutInputStream.Stalled
                    ? e.getMessage() : e.toString()), "check the path or URL, and the network", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserException("interrupted while reading " + uri, null, e);
        }
    }

    private static boolean loopback(String host) {
        try {
            return host != null && InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
