package io.jkraft.origin;

import io.jkraft.common.Durations;
import io.jkraft.common.HttpClientSetup;
import io.jkraft.common.IdleTimeoutInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;

/** Copies one URL ({@code http}, {@code https}, {@code file}) into a file, with every wait bounded. */
final class ArchiveDownload {
    /** Why a place did not give the file, in a few words for the list of places looked in. */
    static final class Miss extends IOException {
        Miss(String reason, Throwable cause) {
            super(reason, cause);
        }
    }

    record Timeouts(Duration connect, Duration answer, Duration idle) {
        static final Timeouts DEFAULT = new Timeouts(Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(60));
    }

    private final Timeouts timeouts;
    private final OriginListener listener;

    ArchiveDownload(Timeouts timeouts, OriginListener listener) {
        this.timeouts = timeouts;
        this.listener = listener;
    }

    /** Writes the URL's content to {@code target} (which exists and is overwritten); throws {@link Miss} saying why not. */
    void download(String url, Path target, String name) throws IOException {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new Miss("not a URL: " + e.getMessage(), e);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        switch (scheme) {
            case "http", "https" -> http(uri, target, name);
            case "file" -> {
                try (InputStream in = Files.newInputStream(Path.of(uri));
                        OutputStream out = Files.newOutputStream(target)) {
                    in.transferTo(out);
                } catch (NoSuchFileException e) {
                    throw new Miss("not there", e);
                }
            }
            default -> throw new Miss("jkraft fetches http, https and file URLs, not " + (scheme.isEmpty() ? url : scheme), null);
        }
    }

    private void http(URI uri, Path target, String name) throws IOException {
        try (HttpClient client = HttpClientSetup.followingRedirects(timeouts.connect()).build()) {
            HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeouts.answer()).GET().build();
            HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = new IdleTimeoutInputStream(response.body(), timeouts.idle(),
                    response.uri().getRawAuthority()); OutputStream out = Files.newOutputStream(target)) {
                if (response.statusCode() / 100 != 2) {
                    throw new Miss("HTTP " + response.statusCode() + (response.statusCode() == 404 ? " (not there)" : ""), null);
                }
                long total = response.headers().firstValueAsLong("Content-Length").orElse(-1);
                byte[] buffer = new byte[65536];
                long done = 0;
                try {
                    for (int n; (n = in.read(buffer)) >= 0; ) {
                        out.write(buffer, 0, n);
                        done += n;
                        listener.downloading(name, done, total);
                    }
                } catch (IOException e) {
                    if (e instanceof IdleTimeoutInputStream.Stalled || Thread.currentThread().isInterrupted()) {
                        throw e;
                    }
                    throw new Miss("the connection ended after " + done + (total >= 0 ? " of " + total : "") + " bytes ("
                            + e.getMessage() + ")", e);
                }
                if (total >= 0 && done != total) {
                    throw new Miss("the connection ended after " + done + " of " + total + " bytes", null);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while downloading " + uri);
        } catch (HttpConnectTimeoutException e) {
            throw new Miss(uri.getRawAuthority() + " did not accept a connection within " + Durations.words(timeouts.connect()), e);
        } catch (HttpTimeoutException e) {
            throw new Miss(uri.getRawAuthority() + " did not answer within " + Durations.words(timeouts.answer()), e);
        } catch (Miss | InterruptedIOException e) {
            throw e;
        } catch (IOException e) {
            String why = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
            throw new Miss("cannot download: " + why, e);
        }
    }
}
