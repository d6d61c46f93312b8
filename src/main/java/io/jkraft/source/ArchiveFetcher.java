package io.jkraft.source;

import io.jkraft.common.UserException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
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
    private final CacheDirs dirs;
    private final Consumer<String> progress;

    ArchiveFetcher(CacheDirs dirs, Consumer<String> progress) {
        this.dirs = dirs;
        this.progress = progress;
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
        String pinned = o.sha256() == null ? null : o.sha256().toLowerCase(Locale.ROOT);
        if (pinned != null && Files.isDirectory(dirs.archives.resolve(pinned))) {
            return new FetchedSource(dirs.archives.resolve(pinned), pinned);
        }
        String key = CacheDirs.urlKey(url);
        Path record = dirs.archiveUrls.resolve(key);
        try (CacheDirs.Lock _ = dirs.lock(key, progress, url)) {
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
                        CacheDirs.deleteRecursively(temp);
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
        MessageDigest md = CacheDirs.sha256Digest();
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        try (OutputStream out = new DigestOutputStream(
                Files.newOutputStream(part, StandardOpenOption.CREATE_NEW), md)) {
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
        return HexFormat.of().formatHex(md.digest());
    }

    private static void http(URI uri, OutputStream out) throws IOException {
        try (HttpClient client = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(30))
                .build()) {
            HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).GET().build();
            HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
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
