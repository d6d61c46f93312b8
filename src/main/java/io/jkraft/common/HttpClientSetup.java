package io.jkraft.common;

import java.net.http.HttpClient;
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
 * How jkraft builds the JDK's HTTP clients (archive downloads, index files, registries): the ways their set-ups
 * differ, as parameters. None sets a proxy, so all use the JDK's default.
 *
 * <p>A client keeps a selector thread in native code until it is closed, and the JVM waits 300 ms at exit for
 * such threads: close every client built here.
 *
 * @param redirects      {@link HttpClient.Redirect#NORMAL} where a download may have moved;
 *                       {@link HttpClient.Redirect#NEVER} for a caller that follows them itself (the registry
 *                       client does, so that credentials go only to the registry's own origin)
 * @param connectTimeout how long a server may take to accept the connection; what follows is bounded by the
 *                       request's own timeout and by reading the body through {@link IdleTimeoutInputStream}
 * @param plainHttpOnly  a client for {@code http} URLs only. It speaks HTTP/1.1, because the default, HTTP/2,
 *                       offers every plain request an {@code h2c} upgrade that registries refuse; and it sets up
 *                       no TLS when built, which the default does (its SSL context reads and parses the CA
 *                       certificates), costing a short command a few hundred milliseconds
 */
public record HttpClientSetup(HttpClient.Redirect redirects, Duration connectTimeout, boolean plainHttpOnly) {

    /** A client for any URL that follows redirects, as a download's should. */
    public static HttpClientSetup followingRedirects(Duration connectTimeout) {
        return new HttpClientSetup(HttpClient.Redirect.NORMAL, connectTimeout, false);
    }

    public HttpClient build() {
        HttpClient.Builder builder = HttpClient.newBuilder().followRedirects(redirects).connectTimeout(connectTimeout);
        if (plainHttpOnly) {
            builder.version(HttpClient.Version.HTTP_1_1)
                    // never used for a handshake, but the builder wants one
                    .sslContext(new UnusedSslContext())
                    .sslParameters(new SSLParameters(null, new String[] {"TLSv1.3", "TLSv1.2"}));
        }
        return builder.build();
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
