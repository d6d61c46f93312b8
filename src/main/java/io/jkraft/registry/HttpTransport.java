package io.jkraft.registry;

import io.jkraft.common.Durations;
import io.jkraft.common.HttpClientSetup;
import io.jkraft.common.IdleTimeoutInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/**
 * The HTTP clients of one command, one per scheme, each built on first use and closed with the command.
 *
 * <p>Why two: the JDK's client sets up TLS when it is built, which costs a short command a few hundred
 * milliseconds that a loopback registry spoken to over plain HTTP never needs, and would offer every plain
 * request an HTTP/2 upgrade that registries refuse ({@link HttpClientSetup#plainHttpOnly}). https URLs go to a
 * client built as the JDK builds one by default. Neither follows redirects: {@link RegistryClient} does, by hand.
 *
 * <p>Why close: a live client keeps a selector thread in native code, and the JVM waits 300 ms at exit
 * for such threads before giving up on them.
 *
 * <p>Every wait is bounded ({@link Timeouts}): the connection, the answer (the request's own timeout, which
 * the JDK ends when the headers come) and each read of the body, which the JDK does not bound at all. A
 * timeout's message names the host and the request that did not answer.
 */
final class HttpTransport implements AutoCloseable {
    /**
     * How long a registry may keep jkraft waiting: for a connection; for the answer to a request (an upload's
     * answer comes after its body has gone, so PUT and PATCH have longer); for each read of a body.
     */
    record Timeouts(Duration connect, Duration answer, Duration upload, Duration idle) {
        static final Timeouts DEFAULT = new Timeouts(Duration.ofSeconds(30), Duration.ofMinutes(2),
                Duration.ofMinutes(10), Duration.ofSeconds(60));

        /** Timeouts that are all {@code d} (tests). */
        static Timeouts all(Duration d) {
            return new Timeouts(d, d, d, d);
        }

        /** The request timeout for a method: until the answer's headers, the body sent included. */
        Duration answerFor(String method) {
            return method.equals("PUT") || method.equals("PATCH") ? upload : answer;
        }
    }

    private final Timeouts timeouts;
    private HttpClient plain;
    private HttpClient tls;

    HttpTransport(Timeouts timeouts) {
        this.timeouts = timeouts;
    }

    Timeouts timeouts() {
        return timeouts;
    }

    /**
     * Sends {@code request} (built with a {@link HttpRequest#timeout}) with the client for its URL's scheme;
     * the body's reads give up after {@link Timeouts#idle} without a byte. Timeouts are
     * {@link HttpTimeoutException}s (connect: {@link HttpConnectTimeoutException}) and
     * {@link IdleTimeoutInputStream.Stalled}, whose messages say who did not answer what.
     */
    HttpResponse<InputStream> send(HttpRequest request) throws IOException, InterruptedException {
        URI uri = request.uri();
        // The path only: a query may carry an upload session's secret.
        String what = uri.getRawAuthority() + " (" + request.method() + " " + uri.getRawPath() + ")";
        try {
            return clientFor(uri).send(request, info -> HttpResponse.BodySubscribers.mapping(
                    HttpResponse.BodySubscribers.ofInputStream(),
                    in -> new IdleTimeoutInputStream(in, timeouts.idle(), what)));
        } catch (HttpConnectTimeoutException e) {
            HttpConnectTimeoutException named = new HttpConnectTimeoutException(uri.getRawAuthority()
                    + " did not accept a connection within " + Durations.words(timeouts.connect()));
            named.initCause(e);
            throw named;
        } catch (HttpTimeoutException e) {
            HttpTimeoutException named = new HttpTimeoutException(what + " did not answer"
                    + request.timeout().map(t -> " within " + Durations.words(t)).orElse(""));
            named.initCause(e);
            throw named;
        }
    }

    synchronized HttpClient clientFor(URI uri) {
        if ("http".equalsIgnoreCase(uri.getScheme())) {
            if (plain == null) {
                plain = new HttpClientSetup(HttpClient.Redirect.NEVER, timeouts.connect(), true).build();
            }
            return plain;
        }
        if (tls == null) {
            tls = new HttpClientSetup(HttpClient.Redirect.NEVER, timeouts.connect(), false).build();
        }
        return tls;
    }

    @Override
    public synchronized void close() {
        if (plain != null) {
            plain.close();
            plain = null;
        }
        if (tls != null) {
            tls.close();
            tls = null;
        }
    }
}
