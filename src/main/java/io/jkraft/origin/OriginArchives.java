package io.jkraft.origin;

import io.jkraft.common.Invocation;
import io.jkraft.common.LockFile;
import io.jkraft.common.UserException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Fetches the origin archives that libraries' Makefile.uk download in the core's fetch rules, for the wget stand-in
 * ({@link WgetStandIn}) that every make of jkraft gets. An archive is looked for in order in
 * <ol>
 *   <li>the cache shared by every project ({@link OriginCache});</li>
 *   <li>the places of {@code origin_archives} (config file) and {@code JKRAFT_ORIGIN_ARCHIVES}: folders holding it
 *       by name, URL prefixes to which its name is appended;</li>
 *   <li>the URL the library names.</li>
 * </ol>
 * Each file found is checked against the checksums the library declares and the project's {@code Kraftfile.lock};
 * one that fails is refused and the next place is tried. What is accepted is recorded in the lock file and placed
 * where make asked, by rename; a download is kept in the cache, so that the next project downloads nothing.
 */
public final class OriginArchives {
    private final OriginCache cache;
    private final List<OriginPlace> places;
    private final OriginListener listener;
    private final OriginOptions options;
    private final ArchiveDownload download;
    private final Map<Path, OriginLock> locks = new ConcurrentHashMap<>();

    /**
     * @param cacheDir jkraft's cache folder ({@code JkraftPaths.cacheDir()}); archives go to its {@code origins}
     * @param places   the configured places, as {@code JkraftConfig.originArchives()} lists them
     */
    public OriginArchives(Path cacheDir, List<String> places, Invocation invocation, OriginListener listener,
            OriginOptions options) {
        this(cacheDir, places, invocation, listener, options, ArchiveDownload.Timeouts.DEFAULT);
    }

    OriginArchives(Path cacheDir, List<String> places, Invocation invocation, OriginListener listener,
            OriginOptions options, ArchiveDownload.Timeouts timeouts) {
        this.cache = new OriginCache(cacheDir.resolve("origins"));
        this.places = OriginPlace.of(places, invocation);
        this.listener = listener;
        this.options = options;
        this.download = new ArchiveDownload(timeouts, listener);
    }

    /** A stand-in for one make run in the project whose Kraftfile is in {@code projectDir}. Close it after make ends. */
    public WgetStandIn standIn(Path projectDir) {
        OriginLock lock = locks.computeIfAbsent(projectDir.toAbsolutePath().normalize().resolve(OriginLock.FILE_NAME),
                OriginLock::new);
        return WgetStandIn.start(request -> fetch(request, lock));
    }

    /** Looks the archive up, checks and places it; throws a {@link UserException} naming every place looked in. */
    FetchedOrigin fetch(WgetRequest request, OriginLock lock) {
        String name = request.fileName();
        ArchiveCheck check = new ArchiveCheck(request,
                options.updateLock() ? Optional.empty() : lock.recorded(request.lockKey()), lock.file().toString());
        List<String> looked = new ArrayList<>();
        boolean[] lockDiffers = {false};
        try (LockFile held = cache.lock(request.url(), listener::info)) {
            if (options.noCache()) {
                looked.add("the cache " + cache.root() + ": skipped (--no-cache)");
            } else {
                Optional<Path> hit = cache.byUrl(request.url(), name);
                if (hit.isPresent()) {
                    FetchedOrigin f = accept(request, check, hit.get(), "the cache", false, looked, lockDiffers, lock);
                    if (f != null) {
                        return f;
                    }
                } else {
                    looked.add("the cache " + cache.root() + ": not there");
                }
                if (check.verifiable()) {
                    for (Path other : cache.byName(request.url(), name)) {
                        FetchedOrigin f = accept(request, check, other, "the cache (same name, another URL)", false,
                                looked, lockDiffers, lock);
                        if (f != null) {
                            return f;
                        }
                    }
                }
            }
            for (OriginPlace place : places) {
                FetchedOrigin f = switch (place) {
                    case OriginPlace.Folder folder -> fromFolder(request, check, folder, looked, lockDiffers, lock);
                    case OriginPlace.UrlPrefix prefix ->
                            downloaded(request, check, prefix.urlOf(name), looked, lockDiffers, lock);
                };
                if (f != null) {
                    return f;
                }
            }
            FetchedOrigin f = downloaded(request, check, request.url(), looked, lockDiffers, lock);
            if (f != null) {
                return f;
            }
        } catch (InterruptedIOException e) {
            Thread.currentThread().interrupt();
            throw new UserException("interrupted while fetching " + request.url());
        } catch (IOException e) {
            throw new UserException("cannot fetch " + request.url() + " to " + request.output() + ": " + e.getMessage(),
                    "check that the build folder and " + cache.root() + " are writable", e);
        }
        throw new UserException("cannot fetch the origin archive " + name + " of " + request.library() + " ("
                + request.url() + "); looked in:\n    " + String.join("\n    ", looked), hint(request, lock, lockDiffers[0]));
    }

    private String hint(WgetRequest request, OriginLock lock, boolean lockDiffers) {
        if (lockDiffers) {
            return "if the new archive is the right one, accept it with 'jkraft fetch --update-lock' (or delete the line "
                    + request.lockKey() + " from " + lock.file() + ")";
        }
        return "put " + request.fileName() + " into a folder named in origin_archives (config file) or "
                + "JKRAFT_ORIGIN_ARCHIVES (colon-separated), or check the network";
    }

    private FetchedOrigin fromFolder(WgetRequest request, ArchiveCheck check, OriginPlace.Folder folder,
            List<String> looked, boolean[] lockDiffers, OriginLock lock) throws IOException {
        Path file = folder.dir().resolve(request.fileName());
        if (!Files.isRegularFile(file)) {
            looked.add(folder + ": no " + request.fileName());
            return null;
        }
        return accept(request, check, file, folder.toString(), false, looked, lockDiffers, lock);
    }

    private FetchedOrigin downloaded(WgetRequest request, ArchiveCheck check, String url, List<String> looked,
            boolean[] lockDiffers, OriginLock lock) throws IOException {
        Path part = cache.newTempFile(request.fileName());
        try {
            listener.info("downloading " + request.fileName() + " from " + url);
            try {
                download.download(url, part, request.fileName());
            } catch (ArchiveDownload.Miss miss) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new InterruptedIOException();
                }
                looked.add(url + ": " + miss.getMessage());
                return null;
            }
            ArchiveCheck.Verdict verdict = check.check(part);
            if (!verdict.accepted()) {
                refused(url, verdict, looked, lockDiffers);
                return null;
            }
            Path stored = cache.store(part, request.url(), request.fileName());
            return placed(request, stored, url, verdict, true, lock);
        } finally {
            Files.deleteIfExists(part);
        }
    }

    private FetchedOrigin accept(WgetRequest request, ArchiveCheck check, Path file, String from, boolean downloaded,
            List<String> looked, boolean[] lockDiffers, OriginLock lock) throws IOException {
        ArchiveCheck.Verdict verdict = check.check(file);
        if (!verdict.accepted()) {
            refused(from + " " + file, verdict, looked, lockDiffers);
            return null;
        }
        return placed(request, file, from, verdict, downloaded, lock);
    }

    private static void refused(String where, ArchiveCheck.Verdict verdict, List<String> looked, boolean[] lockDiffers) {
        looked.add(where + ": refused, " + verdict.refusal().orElseThrow());
        lockDiffers[0] |= verdict.lockDiffers();
    }

    /** Copies the accepted file to where make wants it, through a temporary file beside it and a rename. */
    private FetchedOrigin placed(WgetRequest request, Path file, String from, ArchiveCheck.Verdict verdict,
            boolean downloaded, OriginLock lock) throws IOException {
        Path target = request.output();
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempFile(target.getParent(), "." + request.fileName(), ".part");
        try {
            Files.copy(file, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
        lock.record(request.lockKey(), verdict.sha256(), request.url());
        listener.info("origin " + request.lockKey() + ": " + (downloaded ? "downloaded from " : "from ") + from);
        return new FetchedOrigin(request.lockKey(), request.url(), target, from, verdict.sha256(), downloaded);
    }
}
