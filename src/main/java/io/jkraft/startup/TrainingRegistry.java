package io.jkraft.startup;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.jkraft.common.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A registry in memory on 127.0.0.1, only for the AOT training run: it answers the few calls of the
 * distribution API that `pkg push` and `pkg pull` make (ping, HEAD and GET of blobs, a monolithic
 * upload, PUT and GET of manifests), so that the training goes through the HTTP client's code without
 * the network or a real registry. It checks nothing and keeps nothing; the real registry is what tests use.
 */
final class TrainingRegistry implements AutoCloseable {
    private record Content(byte[] bytes, String type) {}

    private final HttpServer server;
    private final Map<String, Content> blobs = new ConcurrentHashMap<>();
    private final Map<String, Content> manifests = new ConcurrentHashMap<>();
    private final AtomicInteger uploads = new AtomicInteger();

    TrainingRegistry() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        server.createContext("/v2/", this::handle);
        server.start();
    }

    /** {@code 127.0.0.1:PORT}, as a reference names its registry. */
    String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            byte[] body;
            try (InputStream in = x.getRequestBody()) {
                body = in.readAllBytes();
            }
            URI uri = x.getRequestURI();
            String path = uri.getPath();
            String method = x.getRequestMethod();
            int blobsAt = path.indexOf("/blobs/");
            int manifestsAt = path.indexOf("/manifests/");
            if (path.equals("/v2/")) {
                answer(x, 200, "application/json", "{}".getBytes(), null);
            } else if (blobsAt > 0 && path.contains("/blobs/uploads/") && method.equals("POST")) {
                x.getResponseHeaders().set("Location", path.substring(0, blobsAt) + "/blobs/uploads/" + uploads.incrementAndGet());
                answer(x, 202, null, new byte[0], null);
            } else if (blobsAt > 0 && path.contains("/blobs/uploads/") && method.equals("PUT")) {
                String digest = digest(body);
                blobs.put(digest, new Content(body, "application/octet-stream"));
                answer(x, 201, null, new byte[0], digest);
            } else if (blobsAt > 0) {
                serve(x, blobs.get(path.substring(blobsAt + "/blobs/".length())), method);
            } else if (manifestsAt > 0 && method.equals("PUT")) {
                String digest = digest(body);
                Content c = new Content(body, x.getRequestHeaders().getFirst("Content-Type"));
                manifests.put(path.substring(manifestsAt + "/manifests/".length()), c);
                manifests.put(digest, c);
                answer(x, 201, null, new byte[0], digest);
            } else if (manifestsAt > 0) {
                serve(x, manifests.get(path.substring(manifestsAt + "/manifests/".length())), method);
            } else {
                answer(x, 404, null, new byte[0], null);
            }
        }
    }

    private static void serve(HttpExchange x, Content c, String method) throws IOException {
        if (method.equals("HEAD")) {
            if (c != null) {
                x.getResponseHeaders().set("Docker-Content-Digest", digest(c.bytes()));
            }
            x.sendResponseHeaders(c == null ? 404 : 200, -1);
        } else if (c == null) {
            answer(x, 404, "application/json", "{\"errors\":[{\"code\":\"BLOB_UNKNOWN\"}]}".getBytes(), null);
        } else {
            answer(x, 200, c.type(), c.bytes(), digest(c.bytes()));
        }
    }

    private static void answer(HttpExchange x, int status, String type, byte[] body, String digest) throws IOException {
        if (type != null) {
            x.getResponseHeaders().set("Content-Type", type);
        }
        if (digest != null) {
            x.getResponseHeaders().set("Docker-Content-Digest", digest);
        }
        x.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(body);
        }
    }

    private static String digest(byte[] bytes) {
        return Digest.of(bytes).toString();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
