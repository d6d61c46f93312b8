package io.jkraft.registry;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyManagementException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * The HTTP clients of one command, one per scheme, each built on first use and closed with the command.
 *
 * <p>Why two: the JDK's client sets up TLS when it is built (the default {@link SSLContext} reads and
 * parses the CA certificates), which costs a short command a few hundred milliseconds that a loopback
 * registry spoken to over plain HTTP never needs. The plain client also speaks HTTP/1.1 only: the
 * default, HTTP/2, would offer every plain request an {@code h2c} upgrade that registries refuse.
 * https URLs go to a client built exactly as the JDK builds one by default.
 *
 * <p>Why close: a live client keeps a selector thread in native code, and the JVM waits 300 ms at exit
 * for such threads before giving up on them.
 */
final class HttpTransport implements AutoCloseable {
    private final Duration connectTimeout;
    private HttpClient plain;
    private HttpClient tls;

    HttpTransport(Duration connectTimeout) {
        this.connectTimeout = connectTimeout;
    }

    /** Sends {@code request} with the client for its URL's scheme. */
    HttpResponse<java.io.InputStream> send(HttpRequest request) throws IOException, InterruptedException {
        return clientFor(request.uri()).send(request, HttpResponse.BodyHandlers.ofInputStream());
    }

    synchronized HttpClient clientFor(URI uri) {
        if ("http".equalsIgnoreCase(uri.getScheme())) {
            if (plain == null) {
                plain = builder().version(HttpClient.Version.HTTP_1_1)
                        // never used for a handshake (https goes to the other client), but the builder wants one
                        .sslContext(new UnusedSslContext())
                        .sslParameters(new SSLParameters(null, new String[] {"TLSv1.3", "TLSv1.2"}))
                        .build();
            }
            return plain;
        }
        if (tls == null) {
            tls = builder().build();
        }
        return tls;
    }

    private HttpClient.Builder builder() {
        return HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).connectTimeout(connectTimeout);
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

    /**
     * A context for the plain-HTTP client that nothing calls; should anything do so, it gets the JDK's default
     * context (verifying certificates as usual), set up only then.
     */
    private static final class UnusedSslContext extends SSLContext {
        UnusedSslContext() {
            super(new DefaultOnUse(), null, "TLS");
        }
    }

    private static final class DefaultOnUse extends SSLContextSpi {
        private static SSLContext real() {
            try {
                return SSLContext.getDefault();
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom random) throws KeyManagementException {
            throw new KeyManagementException("the default context needs no init");
        }

        @Override
        protected SSLSocketFactory engineGetSocketFactory() {
            return real().getSocketFactory();
        }

        @Override
        protected SSLServerSocketFactory engineGetServerSocketFactory() {
            return real().getServerSocketFactory();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            return real().createSSLEngine();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String host, int port) {
            return real().createSSLEngine(host, port);
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext() {
            return real().getServerSessionContext();
        }

        @Override
        protected SSLSessionContext engineGetClientSessionContext() {
            return real().getClientSessionContext();
        }
    }
}
