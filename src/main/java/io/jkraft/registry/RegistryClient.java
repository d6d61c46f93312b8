package io.jkraft.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jkraft.common.UserException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;

/**
 * Speaks the OCI distribution API to one registry over the JDK's HTTP client: finds whether it wants
 * https or (for loopback and registries marked insecure) plain HTTP, answers its authentication
 * challenge (basic, or bearer tokens fetched from its token service and cached per scope), retries
 * transient failures, and follows redirects without carrying the {@code Authorization} header to
 * another host. Credentials are looked up only when the registry asks for them.
 */
public final class RegistryClient {
    private static final int ATTEMPTS = 4;

    /** A request of the distribution API; the body is a supplier so that a retry can send it again. */
    record Request(String method, URI uri, Map<String, String> headers, Supplier<BodyPublisher> body, String scope) {
        static Request get(URI uri, String scope, Map<String, String> headers) {
            return new Request("GET", uri, headers, HttpRequest.BodyPublishers::noBody, scope);
        }
    }

    private final String registry;
    private final TransportPolicy policy;
    private final Supplier<Optional<Credentials>> credentialSource;
    private final HttpTransport http;
    private final Duration backoff;
    private final ObjectMapper json = new ObjectMapper();
    private final Map<String, String> tokens = new ConcurrentHashMap<>();
    private Optional<Credentials> credentials;
    private URI base;
    private Challenge challenge;

    RegistryClient(String registry, TransportPolicy policy, Supplier<Optional<Credentials>> credentials,
            HttpTransport http, Duration backoff) {
        this.registry = registry;
        this.policy = policy;
        this.credentialSource = credentials;
        this.http = http;
        this.backoff = backoff;
    }

    String registry() {
        return registry;
    }

    /** {@code /v2/<repository>/<rest>} on this registry, pinging it first to learn its scheme and challenge. */
    synchronized URI url(String repository, String rest) {
        if (base == null) {
            ping();
        }
        return base.resolve("/v2/" + repository + "/" + rest);
    }

    /**
     * {@code GET /v2/}: 200 needs no authentication, 401 says how to authenticate. A registry allowed plain
     * HTTP is asked over http first, then over https when it does not answer as a registry; others only over https.
     */
    synchronized void ping() {
        URI https = URI.create("https://" + registry + "/v2/");
        HttpResponse<InputStream> r;
        if (!policy.allowsPlainHttp(registry)) {
            r = withRetries(() -> exchangeOnce(https, "GET", Map.of(), HttpRequest.BodyPublishers.noBody(), null), https);
        } else {
            // plain HTTP first where it is allowed: setting up TLS costs the JVM half a second, and a TLS-only
            // registry answers a plain request with 400 (or drops it), which sends us to https
            URI plain = URI.create("http://" + registry + "/v2/");
            try {
                r = exchangeOnce(plain, "GET", Map.of(), HttpRequest.BodyPublishers.noBody(), null);
                if (r.statusCode() == 400) {
                    RegistryErrors.drain(r);
                    r = withRetries(() -> exchangeOnce(https, "GET", Map.of(), HttpRequest.BodyPublishers.noBody(),
                            null), https);
                }
            } catch (HttpTimeoutException silent) {
                // It never took the connection, or took it and said nothing: a TLS-only registry answers a plain
                // request with 400 or closes the connection, so https would only wait as long again.
                throw RegistryErrors.unreachable(registry, plain, silent, null);
            } catch (IOException notPlain) {
                r = withRetries(() -> exchangeOnce(https, "GET", Map.of(), HttpRequest.BodyPublishers.noBody(), null),
                        https);
            }
        }
        try (InputStream body = r.body()) {
            // read to its end: a body closed unread costs the connection, and the next request a new one
            body.skip(Long.MAX_VALUE);
            if (r.statusCode() == 401) {
                challenge = Challenge.parse(r.headers().firstValue("WWW-Authenticate").orElse(null));
            } else if (r.statusCode() / 100 != 2) {
                throw new UserException(registry + " answered " + r.statusCode() + " to GET /v2/: it does not look like an "
                        + "OCI registry", "check the registry's address");
            }
            base = r.uri().resolve("/");
        } catch (IOException e) {
            throw RegistryErrors.unreachable(registry, r.uri(), e, null);
        }
    }

    /** For login: proves the credentials by getting a token (bearer) or {@code /v2/} (basic) with them. */
    synchronized void checkCredentials() {
        ping();
        if (challenge == null) {
            return; // the registry wants none now; they are kept for when it does
        }
        if (challenge.isBearer()) {
            fetchToken(null);
            return;
        }
        HttpResponse<InputStream> r = send(Request.get(base.resolve("/v2/"), null, Map.of()));
        RegistryErrors.drain(r);
        if (r.statusCode() != 200) {
            throw RegistryErrors.denied(registry, r.statusCode(), "logging in", true);
        }
    }

    /**
     * Sends a request, authenticated for {@code request.scope()}; retries connect failures, 429 and
     * 502/503/504 with a growing pause, and fetches a fresh token once when the registry answers 401.
     * A timeout is not retried: it has waited its whole bound already.
     */
    HttpResponse<InputStream> send(Request request) {
        boolean reauthenticated = false;
        while (true) {
            HttpResponse<InputStream> r = withRetries(() -> exchange(request), request.uri());
            if (r.statusCode() != 401 || reauthenticated) {
                return r;
            }
            RegistryErrors.drain(r);
            Challenge fresh = Challenge.parse(r.headers().firstValue("WWW-Authenticate").orElse(null));
            synchronized (this) {
                if (fresh != null) {
                    challenge = fresh;
                }
                tokens.remove(String.valueOf(request.scope()));
            }
            reauthenticated = true;
        }
    }

    private interface Exchange {
        HttpResponse<InputStream> run() throws IOException;
    }

    private HttpResponse<InputStream> withRetries(Exchange exchange, URI uri) {
        for (int attempt = 1; ; attempt++) {
            try {
                HttpResponse<InputStream> r = exchange.run();
                int s = r.statusCode();
                if (attempt < ATTEMPTS && (s == 429 || s == 502 || s == 503 || s == 504)) {
                    RegistryErrors.drain(r);
                    pause(attempt);
                    continue;
                }
                return r;
            } catch (IOException e) {
                if (attempt >= ATTEMPTS || e instanceof SSLException || e instanceof HttpTimeoutException) {
                    throw RegistryErrors.unreachable(registry, uri, e, null);
                }
                pause(attempt);
            }
        }
    }

    private void pause(int attempt) {
        try {
            Thread.sleep(backoff.multipliedBy(1L << (attempt - 1)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserException("interrupted while waiting to retry " + registry);
        }
    }

    private HttpResponse<InputStream> exchange(Request request) throws IOException {
        return exchangeOnce(request.uri(), request.method(), request.headers(), request.body().get(),
                authorization(request.scope()));
    }

    /** One request, following up to five redirects; Authorization goes only to the registry's own origin. */
    private HttpResponse<InputStream> exchangeOnce(URI uri, String method, Map<String, String> headers,
            BodyPublisher body, String auth) throws IOException {
        URI target = uri;
        for (int hop = 0; hop <= 5; hop++) {
            HttpRequest.Builder b = HttpRequest.newBuilder(target).timeout(http.timeouts().answerFor(method))
                    .method(method, body);
            headers.forEach(b::header);
            if (auth != null && sameOrigin(target, uri)) {
                b.header("Authorization", auth);
            }
            HttpResponse<InputStream> r;
            try {
                r = http.send(b.build());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            int s = r.statusCode();
            Optional<String> location = r.headers().firstValue("Location");
            boolean redirect = s == 301 || s == 302 || s == 303 || s == 307 || s == 308;
            if (!redirect || location.isEmpty() || !(method.equals("GET") || method.equals("HEAD"))) {
                return r;
            }
            RegistryErrors.drain(r);
            URI next = target.resolve(location.get());
            if (next.getScheme().equals("http") && !policy.allowsPlainHttp(next.getAuthority())) {
                throw new UserException(registry + " redirected to " + RegistryErrors.withoutQuery(next)
                        + ", plain HTTP on a host not marked insecure", "jkraft refuses to fetch it; ask the registry's operator");
            }
            target = next;
        }
        throw new UserException(registry + " redirected more than five times for " + uri.getPath(), null);
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equals(b.getScheme()) && a.getHost().equalsIgnoreCase(b.getHost()) && a.getPort() == b.getPort();
    }

    private synchronized Optional<Credentials> credentials() {
        if (credentials == null) {
            credentials = credentialSource.get();
        }
        return credentials;
    }

    private synchronized String authorization(String scope) {
        if (challenge == null) {
            return null;
        }
        if (challenge.isBasic()) {
            return credentials().filter(Credentials::hasPassword).map(Credentials::basicHeader).orElse(null);
        }
        if (!challenge.isBearer()) {
            throw new UserException(registry + " asks for '" + challenge.scheme() + "' authentication, which jkraft "
                    + "does not speak (only basic and bearer)", null);
        }
        String token = tokens.get(String.valueOf(scope));
        if (token == null) {
            token = fetchToken(scope);
            tokens.put(String.valueOf(scope), token);
        }
        return "Bearer " + token;
    }

    /** Asks the challenge's token service for a token covering {@code scope} (space-separated scopes). */
    private String fetchToken(String scope) {
        String realm = challenge.params().get("realm");
        if (realm == null || realm.isBlank()) {
            throw new UserException(registry + " asks for a bearer token but names no token service (realm)", null);
        }
        URI realmUri = URI.create(realm);
        if (!"https".equals(realmUri.getScheme())
                && !("http".equals(realmUri.getScheme()) && policy.allowsPlainHttp(realmUri.getAuthority()))) {
            throw new UserException(registry + "'s token service " + RegistryErrors.withoutQuery(realmUri)
                    + " is not https, and its host is neither loopback nor marked insecure",
                    "jkraft does not send credentials over plain HTTP to it");
        }
        StringBuilder query = new StringBuilder();
        String service = challenge.params().get("service");
        if (service != null) {
            query.append("service=").append(enc(service));
        }
        if (scope != null) {
            for (String s : scope.split(" ")) {
                query.append(query.isEmpty() ? "" : "&").append("scope=").append(enc(s));
            }
        }
        Optional<Credentials> c = credentials();
        HttpRequest.Builder b;
        if (c.isPresent() && c.get().identityToken() != null) {
            // an identity token is a refresh token: OAuth2's form POST, as Docker sends it
            String form = query + (query.isEmpty() ? "" : "&") + "grant_type=refresh_token&client_id=jkraft&refresh_token="
                    + enc(c.get().identityToken());
            b = HttpRequest.newBuilder(realmUri).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form));
        } else {
            b = HttpRequest.newBuilder(URI.create(realm + (realm.contains("?") ? "&" : "?") + query)).GET();
            c.filter(Credentials::hasPassword).ifPresent(cr -> b.header("Authorization", cr.basicHeader()));
        }
        HttpRequest req = b.timeout(http.timeouts().answer()).build();
        HttpResponse<InputStream> r = withRetries(() -> {
            try {
                return http.send(req);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }, realmUri);
        try (InputStream in = r.body()) {
            if (r.statusCode() == 401 || r.statusCode() == 403) {
                throw RegistryErrors.denied(registry, r.statusCode(), "a token for " + scope, c.isPresent());
            }
            if (r.statusCode() != 200) {
                throw new UserException(registry + "'s token service answered " + r.statusCode() + " for " + scope, null);
            }
            JsonNode answer = json.readTree(in.readNBytes(1 << 20));
            String token = answer.path("token").asText(answer.path("access_token").asText(""));
            if (token.isEmpty()) {
                throw new UserException(registry + "'s token service gave no token for " + scope, null);
            }
            return token;
        } catch (IOException e) {
            throw RegistryErrors.unreachable(registry, realmUri, e, null);
        }
    }

    /** The error for an answer that was not the one hoped for, saying whether credentials were sent. */
    UserException fail(HttpResponse<InputStream> r, String what) {
        return RegistryErrors.status(registry, r, what, credentials().isPresent());
    }

    /** Scope of a repository for the given actions, e.g. {@code repository:hello:pull,push}. */
    static String scope(String repository, String actions) {
        return "repository:" + repository + ":" + actions;
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** The list of headers a pull accepts: both OCI types and Docker's, for tolerance. */
    static final List<String> MANIFEST_TYPES = List.of(
            io.jkraft.pkg.oci.OciLayout.INDEX_MEDIA_TYPE, io.jkraft.pkg.oci.OciLayout.MANIFEST_MEDIA_TYPE,
            io.jkraft.pkg.oci.OciLayout.DOCKER_LIST_MEDIA_TYPE, io.jkraft.pkg.oci.OciLayout.DOCKER_MANIFEST_MEDIA_TYPE);
}
