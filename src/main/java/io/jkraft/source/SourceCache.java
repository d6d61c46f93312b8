package io.jkraft.source;

import io.jkraft.common.UserException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The source cache shared by all projects of a user, e.g. {@code $XDG_DATA_HOME/jkraft/sources}.
 *
 * <p>Layout under the root:
 * <pre>
 * git/&lt;key&gt;/            one bare repository per git URL (key: first 16 hex of the URL's SHA-256)
 * trees/&lt;commit&gt;/       one immutable checkout per commit, with executable bits and symlinks
 * archives/&lt;sha256&gt;/    one extracted archive per archive digest
 * archive-urls/&lt;key&gt;    the digest an archive URL without ?sha256= served when first fetched
 * locks/&lt;key&gt;.lock      serialises work on one URL across processes and threads
 * tmp/&lt;pid&gt;-...        work in progress; removed once its process is gone
 * </pre>
 * Everything outside {@code tmp/} and {@code locks/} appears by one atomic rename, so a process killed at
 * any point never leaves a half-written entry that later runs would trust.
 *
 * <p>Thread-safe; any number of processes may share one root.
 */
public final class SourceCache {
    private final CacheDirs dirs;
    private final GitFetcher git;
    private final ArchiveFetcher archives;

    /**
     * @param root     the cache folder; created when missing
     * @param progress receives one-line progress messages such as
     *                 {@code fetching unikraft (stable) from https://github.com/unikraft/unikraft}
     */
    public SourceCache(Path root, Consumer<String> progress) {
        this(root, progress, null);
    }

    /** @param timeout how long a remote may keep a fetch waiting, or null for each fetcher's own (tests) */
    SourceCache(Path root, Consumer<String> progress, Duration timeout) {
        Objects.requireNonNull(progress, "progress");
        this.dirs = new CacheDirs(Objects.requireNonNull(root, "root"));
        GitSystemConfig.install();
        this.git = new GitFetcher(dirs, progress, timeout == null ? GitFetcher.DEFAULT_TIMEOUT : timeout);
        this.archives = new ArchiveFetcher(dirs, progress, timeout == null ? ArchiveFetcher.Timeouts.DEFAULT
                : new ArchiveFetcher.Timeouts(timeout, timeout, timeout));
    }

    public Path root() {
        return dirs.root;
    }

    /**
     * Makes an origin's sources available.
     *
     * @param noFetch use only what is cached (for a branch: the commit it resolved to at the last fetch);
     *                fail with a hint to run {@code jkraft fetch} when nothing is
     * @throws UserException when the origin cannot be reached or does not hold what was asked for
     */
    public FetchedSource fetch(Origin origin, boolean noFetch) {
        return fetch(origin, noFetch ? FetchPolicy.OFFLINE : FetchPolicy.REFRESH);
    }

    /**
     * Makes an origin's sources available, using the network as the policy allows.
     *
     * @throws UserException when the origin cannot be reached or does not hold what was asked for
     */
    public FetchedSource fetch(Origin origin, FetchPolicy policy) {
        boolean noFetch = policy == FetchPolicy.OFFLINE;
        return switch (origin) {
            case LocalOrigin l -> local(l);
            case GitOrigin g -> {
                prepare();
                yield git.fetch(g, policy);
            }
            case ArchiveOrigin a -> {
                prepare();
                yield archives.fetch(a, noFetch);
            }
        };
    }

    private void prepare() {
        dirs.create();
        try {
            dirs.cleanStaleTemps();
        } catch (RuntimeException e) {
            // a leftover that cannot be removed now does no harm; the next run tries again
        }
    }

    private static FetchedSource local(LocalOrigin l) {
        if (!Files.isDirectory(l.dir())) {
            throw new UserException("source folder " + l.dir() + " does not exist",
                    "create it, or fix the source: path in the Kraftfile");
        }
        try {
            return new FetchedSource(l.dir(), LocalDigest.of(l.dir()));
        } catch (IOException e) {
            throw new UserException("cannot read source folder " + l.dir() + ": " + e,
                    "check the folder's permissions", e);
        }
    }
}
