package io.jkraft.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jkraft.common.IdleTimeoutInputStream;
import io.jkraft.common.UserException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLException;

/**
 * Registry failures as one clear message with a hint. Messages name the registry and the repository,
 * never a header or a URL's query (an upload URL may carry a session secret).
 */
final class RegistryErrors {
    private RegistryErrors() {}

    static UserException unreachable(String registry, URI uri, IOException e, String hint) {
        if (e instanceof HttpTimeoutException || e instanceof IdleTimeoutInputStream.Stalled) {
            return timedOut(registry, uri, e, hint);
        }
        String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (hint == null) {
            hint = e instanceof SSLException
                    ? "it does not speak TLS (or its certificate is not trusted); plain HTTP is used only for loopback "
                    + "addresses and registries marked insecure: JKRAFT_INSECURE_REGISTRIES=" + registry
                    + " or insecure_registries in config.yaml"
                    : "check the address and that the registry is running and reachable";
        }
        return new UserException("cannot reach registry " + registry + " (" + withoutQuery(uri) + "): " + why, hint, e);
    }

    /**
     * A wait that reached its bound; the message (from {@link HttpTransport}) names the host, the request and
     * the bound. A host other than the registry's (its token service, a storage it redirects to) is named as such.
     */
    private static UserException timedOut(String registry, URI uri, IOException e, String hint) {
        String message = e.getMessage();
        String said = registry.equalsIgnoreCase(uri.getRawAuthority()) ? "registry " + message
                : message + ", for registry " + registry;
        if (hint == null) {
            hint = e instanceof HttpConnectTimeoutException
                    ? "check the address, and that the registry is running and reachable from here (a firewall may drop"
                    + " the connection)"
                    : "it took the connection but is not answering: it may be overloaded or hung; try again later";
        }
        return new UserException(said, hint, e);
    }

    static UserException denied(String registry, int status, String what, boolean hadCredentials) {
        if (status == 401) {
            return new UserException(registry + (hadCredentials ? " refused the credentials for " : " wants credentials for ")
                    + what + " (401 Unauthorized)", "log in with `jkraft login " + registry + "`");
        }
        return new UserException(registry + " denied " + what + " (403 Forbidden)",
                "the account may lack the rights for this repository; `jkraft login " + registry + "` as another user");
    }

    /** The error for an unexpected status, with the registry's own error code and message when it sent one. */
    static UserException status(String registry, HttpResponse<InputStream> r, String what, boolean hadCredentials) {
        String detail = detail(r);
        int s = r.statusCode();
        if (s == 401 || s == 403) {
            UserException d = denied(registry, s, what, hadCredentials);
            return new UserException(d.getMessage() + detail, d.hint());
        }
        if (s == 404) {
            return new UserException(registry + " has no " + what + " (404 Not Found)" + detail,
                    "check the name and tag; `skopeo list-tags docker://" + registry + "/REPOSITORY` lists the tags");
        }
        return new UserException(registry + " answered " + s + " to " + what + detail,
                s >= 500 ? "the registry failed; try again later" : null);
    }

    private static String detail(HttpResponse<InputStream> r) {
        try (InputStream in = r.body()) {
            JsonNode e = new ObjectMapper().readTree(new String(in.readNBytes(8192), StandardCharsets.UTF_8))
                    .path("errors").path(0);
            if (e.isMissingNode()) {
                return "";
            }
            return ": " + e.path("code").asText() + " " + e.path("message").asText();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    static void drain(HttpResponse<InputStream> r) {
        try (InputStream in = r.body()) {
            in.skip(Long.MAX_VALUE);
        } catch (IOException ignored) {
            // the connection is dropped instead of reused
        }
    }

    static String withoutQuery(URI uri) {
        return uri.getScheme() + "://" + uri.getRawAuthority() + (uri.getRawPath() == null ? "" : uri.getRawPath());
    }
}
