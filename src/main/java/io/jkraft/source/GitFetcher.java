package io.jkraft.source;

import io.jkraft.common.FileTrees;
import io.jkraft.common.LockFile;
import io.jkraft.common.UserException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.eclipse.jgit.api.FetchCommand;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.errors.CorruptObjectException;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.AbbreviatedObjectId;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.TagOpt;

/**
 * Fetches git origins into one bare repository per URL and checks commits out into immutable trees.
 *
 * <p>The bare repository's own refs are the record of what each (url, ref) resolved to: a branch fetch
 * updates {@code refs/heads/B}, a tag fetch {@code refs/tags/T}; the default branch's name is kept in
 * {@value #DEFAULT_BRANCH_FILE}. That is what makes offline runs and "tag already cached" work.
 */
final class GitFetcher {
    static final String DEFAULT_BRANCH_FILE = "jkraft-default-branch";
    private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]{7,40}");
    /** Kraftfiles write versions as {@code v0.17.0} or {@code 0.17.0}; Unikraft tags them RELEASE-0.17.0. */
    private static final Pattern VERSION = Pattern.compile("v?(\\d+\\.\\d+(?:\\.\\d+)?)");
    /** JGit's bound on each connect and each read from a remote. */
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);

    private static final String REMOTE_TRACKING = Constants.R_REMOTES + "origin/";
    private final CacheDirs dirs;
    private final Consumer<String> progress;
    private final Duration timeout;

    GitFetcher(CacheDirs dirs, Consumer<String> progress) {
        this(dirs, progress, DEFAULT_TIMEOUT);
    }

    /** @param timeout the bound on each connect and read from a remote, in whole seconds (tests give 1 s) */
    GitFetcher(CacheDirs dirs, Consumer<String> progress, Duration timeout) {
        this.dirs = dirs;
        this.progress = progress;
        this.timeout = timeout;
    }

    private int timeoutSeconds() {
        return (int) Math.max(1, timeout.toSeconds());
    }

    private <T> T remote(GitOrigin o, GitRemoteCall.Call<T> call) {
        return GitRemoteCall.run(o, timeout, call);
    }

    FetchedSource fetch(GitOrigin o, FetchPolicy policy) {
        boolean noFetch = policy == FetchPolicy.OFFLINE;
        String key = repoKey(o.url());
        Path repoDir = dirs.git.resolve(key);
        try (LockFile _ = dirs.lock(key, progress, o.url())) {
            try {
                return fetchLocked(o, policy, repoDir);
            } catch (MissingObjectException | CorruptObjectException e) {
                if (noFetch) {
                    throw new UserException("the cached copy of " + o.describe() + " is damaged: " + e.getMessage(),
                            "run jkraft fetch to download it again", e);
                }
                progress.accept("the cached copy of " + o.url() + " is damaged; fetching it again");
                discard(repoDir);
                return fetchLocked(o, FetchPolicy.REFRESH, repoDir);
            }
        } catch (IOException e) {
            throw new UserException("cannot fetch " + o.describe() + " into the source cache: " + e,
                    "check that " + dirs.root + " is writable and has free space", e);
        }
    }

    /** The cache key of a git URL; file:///x/ and file:///x are one repository. */
    static String repoKey(String url) {
        return CacheDirs.urlKey(url.replaceAll("/+$", ""));
    }

    private FetchedSource fetchLocked(GitOrigin o, FetchPolicy policy, Path repoDir) throws IOException {
        boolean noFetch = policy == FetchPolicy.OFFLINE;
        if (!Files.isDirectory(repoDir)) {
            if (noFetch) {
                throw GitErrors.notCached(o);
            }
            createBare(repoDir, o.url());
        }
        removeLeftovers(repoDir);
        ObjectId commit;
        try (Repository repo = open(repoDir)) {
            commit = resolve(repo, repoDir, o, policy);
        }
        Path tree = dirs.trees.resolve(commit.name());
        if (!Files.isDirectory(tree)) {
            // resolving may have replaced the repository, so open it afresh
            try (Repository repo = open(repoDir)) {
                Path temp = dirs.newTempDir();
                try {
                    TreeCheckout.write(repo, commit, temp);
                    dirs.install(temp, tree);
                } finally {
                    FileTrees.deleteRecursively(temp);
                }
            }
        }
        return new FetchedSource(tree, commit.name());
    }

    private static Repository open(Path repoDir) throws IOException {
        return new FileRepositoryBuilder().setGitDir(repoDir.toFile()).setBare().setMustExist(true).build();
    }

    private static boolean isShallow(Repository repo) throws IOException {
        return !repo.getObjectDatabase().getShallowCommits().isEmpty();
    }

    private ObjectId resolve(Repository repo, Path repoDir, GitOrigin o, FetchPolicy policy) throws IOException {
        boolean noFetch = policy == FetchPolicy.OFFLINE;
        boolean cachedBranchWins = policy != FetchPolicy.REFRESH;
        String ref = o.ref();
        Map<String, Ref> remote = null;
        if (ref == null) {
            Path record = repoDir.resolve(DEFAULT_BRANCH_FILE);
            if (noFetch || (cachedBranchWins && CacheDirs.readRecord(record) != null)) {
                ref = CacheDirs.readRecord(record);
                if (ref == null) {
                    throw GitErrors.notCached(o);
                }
            } else {
                remote = lsRemote(o, true);
                ref = defaultBranch(remote, o);
                if (!ref.equals(CacheDirs.readRecord(record))) {
                    dirs.writeAtomically(record, ref + "\n");
                }
            }
        }
        List<String> names = candidates(ref);
        // tags are immutable: once cached, never ask the network again
        for (String n : names) {
            Ref tag = repo.exactRef(Constants.R_TAGS + n);
            if (tag != null) {
                return commitOf(repo, tag.getObjectId());
            }
        }
        for (String n : names) {
            Ref head = repo.exactRef(Constants.R_HEADS + n);
            if (head == null) {
                continue;
            }
            if (cachedBranchWins) {
                return commitOf(repo, head.getObjectId());
            }
            if (remote == null) {
                remote = lsRemote(o, false);
            }
            Ref there = remote.get(Constants.R_HEADS + n);
            if (there != null && there.getObjectId().equals(head.getObjectId())) {
                return commitOf(repo, head.getObjectId());
            }
            if (there != null) {
                return fetchRef(repo, o, Constants.R_HEADS + n);
            }
            break; // the branch is gone from the remote; look for the name as anything else
        }
        boolean hex = HEX.matcher(ref).matches();
        if (hex) {
            ObjectId id = findCommit(repo, ref, o);
            if (id != null) {
                return id;
            }
        }
        if (noFetch) {
            throw GitErrors.notCached(o);
        }
        if (remote == null) {
            remote = lsRemote(o, false);
        }
        for (String prefix : List.of(Constants.R_TAGS, Constants.R_HEADS)) {
            for (String n : names) {
                if (remote.containsKey(prefix + n)) {
                    return fetchRef(repo, o, prefix + n);
                }
            }
        }
        // A plain clone used as a mirror holds most branches only as origin's remote-tracking refs; only
        // now list every ref, since on a forge that includes thousands of pull-request refs.
        Map<String, Ref> all = lsRemote(o, true);
        for (String n : names) {
            if (all.containsKey(REMOTE_TRACKING + n)) {
                return fetchRef(repo, o, REMOTE_TRACKING + n, Constants.R_HEADS + n);
            }
        }
        if (hex) {
            ObjectId id;
            if (isShallow(repo)) {
                replaceWithFullHistory(repoDir, o);
                try (Repository full = open(repoDir)) {
                    id = findCommit(full, ref, o);
                }
            } else {
                fetchAll(repo, o);
                id = findCommit(repo, ref, o);
            }
            if (id != null) {
                return id;
            }
        }
        throw GitErrors.unknownRef(o, ref, remote);
    }

    private static List<String> candidates(String ref) {
        for (String prefix : List.of(Constants.R_HEADS, Constants.R_TAGS)) {
            if (ref.startsWith(prefix)) {
                return List.of(ref.substring(prefix.length()));
            }
        }
        List<String> names = new ArrayList<>(List.of(ref));
        Matcher m = VERSION.matcher(ref);
        if (m.matches()) {
            names.add("RELEASE-" + m.group(1));
        }
        return names;
    }

    private ObjectId fetchRef(Repository repo, GitOrigin o, String fullName) throws IOException {
        return fetchRef(repo, o, fullName, fullName);
    }

    private ObjectId fetchRef(Repository repo, GitOrigin o, String remoteName, String fullName) throws IOException {
        String shortName = Repository.shortenRefName(fullName);
        progress.accept("fetching " + GitErrors.repoName(o.url()) + " (" + shortName + ") from " + o.url());
        // once a repository holds full history (after a commit-id fetch), incremental fetches are cheaper
        boolean shallow = isShallow(repo) || repo.getRefDatabase().getRefsByPrefix(Constants.R_REFS).isEmpty();
        try (Git git = new Git(repo)) {
            FetchCommand fetch = git.fetch().setRemote(o.url())
                    .setRefSpecs(new RefSpec("+" + remoteName + ":" + fullName))
                    .setTagOpt(TagOpt.NO_TAGS)
                    .setTimeout(timeoutSeconds());
            if (shallow) {
                fetch.setDepth(1);
            }
            remote(o, fetch::call);
        }
        Ref fetched = repo.exactRef(fullName);
        if (fetched == null) {
            throw new UserException(o.url() + " did not send " + shortName + " although it lists it",
                    "try again; if it persists, the repository may be changing right now");
        }
        return commitOf(repo, fetched.getObjectId());
    }

    /** A commit id may be anywhere in the history, so only a full fetch can find it. */
    private void fetchAll(Repository repo, GitOrigin o) throws IOException {
        progress.accept("fetching " + GitErrors.repoName(o.url()) + " (full history, to find " + o.ref()
                + ") from " + o.url());
        try (Git git = new Git(repo)) {
            FetchCommand fetch = git.fetch().setRemote(o.url())
                    .setRefSpecs("+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*")
                    .setTagOpt(TagOpt.NO_TAGS)
                    .setTimeout(timeoutSeconds());
            remote(o, fetch::call);
        }
    }

    /**
     * JGit cannot deepen a shallow repository reliably ("peer did not supply a complete object graph"), so
     * a full-history fetch goes into a fresh repository that then replaces the shallow one. A kill between
     * the two renames leaves no repository, which the next run simply fetches again.
     */
    private void replaceWithFullHistory(Path repoDir, GitOrigin o) throws IOException {
        Path temp = initBare(o.url());
        try {
            try (Repository full = open(temp)) {
                fetchAll(full, o);
            }
            Path record = repoDir.resolve(DEFAULT_BRANCH_FILE);
            if (Files.exists(record)) {
                Files.copy(record, temp.resolve(DEFAULT_BRANCH_FILE));
            }
            discard(repoDir);
            dirs.install(temp, repoDir);
        } finally {
            FileTrees.deleteRecursively(temp);
        }
    }

    private Map<String, Ref> lsRemote(GitOrigin o, boolean withHead) {
        return remote(o, Git.lsRemoteRepository().setRemote(o.url())
                .setHeads(!withHead).setTags(!withHead)
                .setTimeout(timeoutSeconds())::callAsMap);
    }

    private static String defaultBranch(Map<String, Ref> remote, GitOrigin o) {
        Ref head = remote.get(Constants.HEAD);
        if (head != null && head.isSymbolic() && head.getTarget().getName().startsWith(Constants.R_HEADS)) {
            return Repository.shortenRefName(head.getTarget().getName());
        }
        if (head != null && head.getObjectId() != null) {
            List<String> same = remote.values().stream()
                    .filter(r -> r.getName().startsWith(Constants.R_HEADS))
                    .filter(r -> head.getObjectId().equals(r.getObjectId()))
                    .map(r -> Repository.shortenRefName(r.getName()))
                    .sorted().toList();
            for (String preferred : List.of("main", "master")) {
                if (same.contains(preferred)) {
                    return preferred;
                }
            }
            if (!same.isEmpty()) {
                return same.getFirst();
            }
        }
        throw new UserException(o.url() + " does not say which branch is its default",
                "name a branch or tag with version: or ?branch= in the Kraftfile");
    }

    private static ObjectId commitOf(Repository repo, ObjectId id) throws IOException {
        try (RevWalk rw = new RevWalk(repo)) {
            return rw.parseCommit(id).copy();
        }
    }

    private static ObjectId findCommit(Repository repo, String hex, GitOrigin o) throws IOException {
        try (ObjectReader reader = repo.newObjectReader()) {
            Collection<ObjectId> ids = reader.resolve(AbbreviatedObjectId.fromString(hex.toLowerCase()));
            List<ObjectId> commits = new ArrayList<>();
            for (ObjectId id : ids) {
                // for a full-length id JGit answers the id itself, present or not
                if (reader.has(id) && reader.open(id).getType() == Constants.OBJ_COMMIT) {
                    commits.add(id.copy());
                }
            }
            if (commits.size() > 1) {
                throw new UserException("commit " + hex + " is ambiguous in " + o.url(),
                        "write more digits of the commit id");
            }
            return commits.isEmpty() ? null : commits.getFirst();
        }
    }

    private void createBare(Path repoDir, String url) throws IOException {
        Path temp = initBare(url);
        try {
            dirs.install(temp, repoDir);
        } finally {
            FileTrees.deleteRecursively(temp);
        }
    }

    /** A new, empty bare repository in {@code tmp/}. */
    private Path initBare(String url) throws IOException {
        Path temp = dirs.newTempDir();
        try (Git git = Git.init().setBare(true).setDirectory(temp.toFile()).setInitialBranch("main").call()) {
            var config = git.getRepository().getConfig();
            config.setInt("gc", null, "auto", 0);
            config.save();
        } catch (GitAPIException e) {
            throw new IOException("cannot create a git repository in " + temp, e);
        }
        Files.writeString(temp.resolve("jkraft-url"), url + "\n");
        return temp;
    }

    /**
     * Removes what a killed fetch left in the repository: stale lock files would make every later ref
     * update fail, and half-received packs waste space. Only called under the URL's lock.
     */
    private static void removeLeftovers(Path repoDir) throws IOException {
        List<Path> places = List.of(repoDir, repoDir.resolve("refs"), repoDir.resolve("objects"),
                repoDir.resolve("objects/pack"));
        for (Path place : places) {
            if (!Files.isDirectory(place)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(place, place.endsWith("refs") ? Integer.MAX_VALUE : 1)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    String name = f.getFileName().toString();
                    if (name.endsWith(".lock") || name.startsWith("incoming_") || name.startsWith("noz")) {
                        Files.deleteIfExists(f);
                    }
                }
            }
        }
    }

    private void discard(Path repoDir) throws IOException {
        Path temp = dirs.tempPath("-discarded");
        Files.move(repoDir, temp, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        FileTrees.deleteRecursively(temp);
    }
}
