package io.jkraft.source;

import io.jkraft.common.Digest;
import io.jkraft.common.Durations;
import io.jkraft.common.FileTrees;
import io.jkraft.common.HttpClientSetup;
import io.jkraft.common.IdleTimeoutInputStream;
import io.jkraft.common.LockFile;
import io.jkraft.common.UserException;
import java.io.IOException;
import java.io.InputStream;
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
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Downloads source archives, checks their SHA-256 and keeps them extracted under their digest, so two
 * URLs serving the same bytes share one folder and a pinned digest finds its folder without any network.
 *
 * <p>An archive URL without a pinned digest is treated like a tag: what it served first is kept (recorded in
 * {@code archive-urls/}) and not downloaded again.
 */
final class ArchiveFetcher {
    /** How long a server may keep a download waiting: for the connection, the answer, each read of the body. */
    record Timeouts(Duration connect, Duration answer, Duration idle) {
        static final Timeouts DEFAULT = new Timeouts(Duration.ofSeconds(30), Duration.ofSeconds(60),
                Duration.ofSeconds(60));
    }

    private final CacheDirs dirs;
    private final Consumer<String> progress;
    private final Timeouts timeouts;

    ArchiveFetcher(CacheDirs dirs, Consumer<String> progress) {
        this(dirs, progress, Timeouts.DEFAULT);
    }

    ArchiveFetcher(CacheDirs dirs, Consumer<String> progress, Timeouts timeouts) {
        this.dirs = dirs;
        this.progress = progress;
        this.timeouts = timeouts;
    }

    FetchedSource fetch(ArchiveOrigin o, boolean noFetch) {
        String url = o.url().toString();
        String path = o.url().getPath() == null ? url : o.url().getPath();
        ArchiveExtractor.Format format = ArchiveExtractor.Format.of(path);
        if (format == null) {
            throw new UserException("cannot tell the archive format of " + url,
                    "use a URL ending in .tar.gz, .tgz, .tar.bz2, .tar or .zip");
        }
        if (!format.supported()) {
            throw new UserException(".tar.xz archives need the XZ for Java library, which this jkraft does not"
                    + " include: " + url, "use a .tar.gz, .tar.bz2 or .zip archive, or the project's git URL");
        }
        // the archives' folders are named by the bare hex, as sha256sum prints it
        String pinned = o.sha256() == null ? null : o.sha256().hex();
        if (pinned != null && Files.isDirectory(dirs.archives.resolve(pinned))) {
            return new FetchedSource(dirs.archives.resolve(pinned), pinned);
        }
        String key = CacheDirs.urlKey(url);
        Path record = dirs.archiveUrls.resolve(key);
        try (LockFile _ = dirs.lock(key, progress, url)) {
            String known = pinned != null ? pinned : recorded(record);
            if (known != null && Files.isDirectory(dirs.archives.resolve(known))) {
                return new FetchedSource(dirs.archives.resolve(known), known);
            }
            if (noFetch) {
                throw new UserException(url + " is not in the source cache, and fetching is turned off",
                        "run jkraft fetch while online, then try again");
            }
            Path part = dirs.tempPath(".part");
            try {
                String actual = download(o.url(), part);
                if (pinned != null && !pinned.equals(actual)) {
                    throw new UserException("the archive at " + url + " has SHA-256 " + actual
                            + ", but " + pinned + " is expected; nothing was kept",
                            "if the new archive is trusted, pin ?sha256=" + actual
                                    + " (Kraftfile) or fix the index's sha256; otherwise the download was damaged"
                                    + " or tampered with");
                }
                Path target = dirs.archives.resolve(actual);
                if (!Files.isDirectory(target)) {
                    progress.accept("extracting " + fileName(o.url()));
                    Path temp = dirs.newTempDir();
                    try {
                        new ArchiveExtractor(temp, url).extract(part, format);
                        dirs.install(temp, target);
                    } finally {
                        FileTrees.deleteRecursively(temp);
                    }
                }
                dirs.writeAtomically(record, actual + " " + url + "\n");
                return new FetchedSource(target, actual);
            } finally {
                Files.deleteIfExists(part);
            }
        } catch (IOException e) {
            throw new UserException("cannot fetch " + url + " into the source cache: " + e,
                    "check that " + dirs.root + " is writable and has free space, and that the archive is valid", e);
        }
    }

    private static String recorded(Path record) throws IOException {
        String line = CacheDirs.readRecord(record);
        return line == null ? null : line.split("\\s+", 2)[0];
    }

    /** Copies the archive into {@code part} and returns its SHA-256. */
    private String download(URI uri, Path part) throws IOException {
        progress.accept("downloading " + fileName(uri) + " from " + uri);
        Digest.Hasher hasher = Digest.hasher();
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        try (OutputStream out = hasher.adding(Files.newOutputStream(part, StandardOpenOption.CREATE_NEW))) {
            if (scheme.equals("file")) {
                try (InputStream in = Files.newInputStream(Path.of(uri))) {
                    in.transferTo(out);
                } catch (NoSuchFileException e) {
                    throw new UserException("archive " + uri + " does not exist", "check the source: URL", e);
                }
            } else if (scheme.equals("http") || scheme.equals("https")) {
                http(uri, out);
            } else {
                throw new UserException("cannot download " + uri + " over " + scheme,
                        "use an http, https or file URL for archives");
            }
        }
        return hasher.digest().hex();
    }

    /**
     * Every wait is bounded: the connection, the answer (the JDK's request timeout, which ends with the
     * headers) and each read of the body ({@link IdleTimeoutInputStream}: the JDK does not bound those).
     */
    private void http(URI uri, OutputStream out) throws IOException {
        try (HttpClient client = HttpClientSetup.followingRedirects(timeouts.connect()).build()) {
            HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeouts.answer()).GET().build();
            HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
            // The host that answered: a redirect may have led elsewhere.
            try (InputStream in = new IdleTimeoutInputStream(response.body(), timeouts.idle(),
                    response.uri().getRawAuthority())) {
                if (response.statusCode() / 100 != 2) {
                    throw new UserException("downloading " + uri + " failed: HTTP " + response.statusCode(),
                            response.statusCode() == 404 ? "check the source: URL in the Kraftfile"
                                    : "try again later, or check the source: URL");
                }
                in.transferTo(out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserException("interrupted while downloading " + uri, null, e);
        } catch (HttpConnectTimeoutException e) {
            throw new UserException("cannot download " + uri + ": " + uri.getRawAuthority()
                    + " did not accept a connection within " + Durations.words(timeouts.connect()),
                    "check the URL and your network connection", e);
        } catch (HttpTimeoutException e) {
            throw new UserException("cannot download " + uri + ": " + uri.getRawAuthority() + " did not answer within "
                    + Durations.words(timeouts.answer()), "the server took the connection but did not answer; try again"
                    + " later, or check the URL", e);
        } catch (IdleTimeoutInputStream.Stalled e) {
            throw new UserException("cannot download " + uri + ": " + e.getMessage(),
                    "the server stopped in the middle of the archive; try again later", e);
        } catch (IOException e) {
            throw new UserException("cannot download " + uri + ": " + e,
                    "check the URL and your network connection", e);
        }
    }

    private static String fileName(URI uri) {
        String path = uri.getPath() == null ? uri.toString() : uri.getPath();
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
