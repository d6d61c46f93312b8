package io.jkraft.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;

/**
 * Git repositories laid out like a mirror of Unikraft's, made from {@code src/test/fixtures}:
 * <ul>
 *   <li>{@code <base>/unikraft}: the fixture core. Tag {@value #RELEASE_TAG} is the release commit
 *       (its kernel prints {@code core-revision: release}); branch {@code stable} is one commit on
 *       ({@code core-revision: stable}); branch {@code staging}, checked out and HEAD, one more
 *       ({@code core-revision: staging}).</li>
 *   <li>{@code <base>/lib-<name>} for every {@code src/test/fixtures/lib-<name>}: one commit, tagged
 *       {@value #RELEASE_TAG}, with branches {@code stable} and {@code staging} (HEAD) on it.</li>
 * </ul>
 * The repositories are ordinary (non-bare) ones; clone them by path or {@code file://} URI.
 * Executable bits of the fixture files are kept.
 */
public final class FixtureRepos {
    public static final String VERSION = "0.17.0";
    public static final String RELEASE_TAG = "RELEASE-" + VERSION;
    public static final String CORE = "unikraft";
    public static final String STABLE = "stable";
    public static final String STAGING = "staging";

    private static final String REVISION_LINE = "FIXTURE_REVISION := release";

    private final Path base;
    private final List<String> libraries;

    private FixtureRepos(Path base, List<String> libraries) {
        this.base = base;
        this.libraries = List.copyOf(libraries);
    }

    /** {@code src/test/fixtures} of this project. */
    public static Path fixturesDir() {
        String basedir = System.getProperty("basedir", System.getProperty("user.dir"));
        Path dir = Path.of(basedir, "src", "test", "fixtures").toAbsolutePath();
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("fixtures not found at " + dir + "; run the tests from the project folder");
        }
        return dir;
    }

    /** The fixture core in the source tree; builds only write to their O and C, never here. */
    public static Path coreDir() {
        return fixturesDir().resolve("core");
    }

    /** A fixture library in the source tree, e.g. {@code libraryDir("fixturelib")}. */
    public static Path libraryDir(String name) {
        return fixturesDir().resolve("lib-" + name);
    }

    /** Creates the repositories in {@code base} (created if needed; must not already hold them). */
    public static FixtureRepos create(Path base) throws IOException {
        Files.createDirectories(base);
        createCore(base.resolve(CORE));
        List<String> libs = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(fixturesDir())) {
            for (Path dir : dirs.sorted().toList()) {
                String file = dir.getFileName().toString();
                if (Files.isDirectory(dir) && file.startsWith("lib-")) {
                    createLibrary(dir, base.resolve(file));
                    libs.add(file.substring("lib-".length()));
                }
            }
        }
        return new FixtureRepos(base, libs);
    }

    public Path base() {
        return base;
    }

    /** The core repository, {@code <base>/unikraft}. */
    public Path core() {
        return base.resolve(CORE);
    }

    /** A library repository, {@code <base>/lib-<name>}. */
    public Path library(String name) {
        if (!libraries.contains(name)) {
            throw new IllegalArgumentException("no fixture library " + name + "; have " + libraries);
        }
        return base.resolve("lib-" + name);
    }

    /** Names of the library repositories (without the {@code lib-} prefix). */
    public List<String> libraries() {
        return libraries;
    }

    /** The commit id a revision (branch, tag, id) of a repository ({@code unikraft}, {@code lib-x}) names. */
    public String resolve(String repo, String revision) throws IOException {
        try (Git git = Git.open(base.resolve(repo).toFile())) {
            ObjectId id = git.getRepository().resolve(revision + "^{commit}");
            if (id == null) {
                throw new IllegalArgumentException(repo + " has no revision " + revision);
            }
            return id.name();
        }
    }

    /**
     * Commits files on a branch of a repository, as an upstream change would, and returns the new
     * commit id. A null content deletes the file. The checked-out branch is restored afterwards.
     */
    public String commit(String repo, String branch, Map<String, String> files, String message) throws IOException {
        Path dir = base.resolve(repo);
        try (Git git = Git.open(dir.toFile())) {
            String original = git.getRepository().getBranch();
            git.checkout().setName(branch).call();
            for (Map.Entry<String, String> file : files.entrySet()) {
                Path path = dir.resolve(file.getKey());
                if (file.getValue() == null) {
                    Files.deleteIfExists(path);
                } else {
                    Files.createDirectories(path.getParent());
                    Files.writeString(path, file.getValue());
                }
            }
            RevCommit commit = commitAll(git, message);
            git.checkout().setName(original).call();
            return commit.name();
        } catch (GitAPIException e) {
            throw new IOException("git operation in " + dir + " failed", e);
        }
    }

    private static void createCore(Path repo) throws IOException {
        copyTree(coreDir(), repo);
        try (Git git = Git.init().setDirectory(repo.toFile()).setInitialBranch(STAGING).call()) {
            RevCommit release = commitAll(git, "Release " + VERSION);
            tag(git, release);
            setRevision(repo, STABLE);
            RevCommit stable = commitAll(git, "Stable fix on top of " + VERSION);
            git.branchCreate().setName(STABLE).setStartPoint(stable).call();
            setRevision(repo, STAGING);
            commitAll(git, "Staging work after " + VERSION);
        } catch (GitAPIException e) {
            throw new IOException("could not create the fixture core repository " + repo, e);
        }
    }

    private static void createLibrary(Path source, Path repo) throws IOException {
        copyTree(source, repo);
        try (Git git = Git.init().setDirectory(repo.toFile()).setInitialBranch(STAGING).call()) {
            RevCommit release = commitAll(git, "Release " + VERSION);
            tag(git, release);
            git.branchCreate().setName(STABLE).setStartPoint(release).call();
        } catch (GitAPIException e) {
            throw new IOException("could not create the fixture library repository " + repo, e);
        }
    }

    private static void setRevision(Path repo, String revision) throws IOException {
        Path versionMk = repo.resolve("version.mk");
        String text = Files.readString(versionMk);
        String current = text.lines().filter(l -> l.startsWith("FIXTURE_REVISION :=")).findFirst()
                .orElseThrow(() -> new IllegalStateException("no '" + REVISION_LINE + "' in " + versionMk));
        Files.writeString(versionMk, text.replace(current, "FIXTURE_REVISION := " + revision));
    }

    private static PersonIdent ident() {
        return new PersonIdent("jkraft fixture", "fixture@jkraft.invalid");
    }

    private static RevCommit commitAll(Git git, String message) throws GitAPIException {
        git.add().addFilepattern(".").call();
        git.add().addFilepattern(".").setUpdate(true).call();
        // setSign(false): a developer's global commit.gpgsign must not reach the fixtures.
        return git.commit().setMessage(message).setAuthor(ident()).setCommitter(ident()).setSign(false).call();
    }

    private static void tag(Git git, RevCommit commit) throws GitAPIException {
        git.tag().setName(RELEASE_TAG).setObjectId(commit).setAnnotated(true).setSigned(false)
                .setMessage("Release " + VERSION).setTagger(ident()).call();
    }

    /** Copies a folder keeping permissions (the core's scripts are run directly, so they must stay executable). */
    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            paths.forEach(path -> {
                Path target = to.resolve(from.relativize(path).toString());
                try {
                    if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(path, target, StandardCopyOption.COPY_ATTRIBUTES);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
