package io.jkraft.source;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;

/**
 * A git repository standing in for an upstream such as unikraft/unikraft, built with JGit only.
 *
 * <pre>
 * c1 ── c2 ── c3   stable
 *       │      └── c4   main (default branch)
 *       RELEASE-0.1.0 (annotated tag)
 * </pre>
 * Every commit has an executable {@code support/scripts/run.sh} and a symlink {@code link -> README}.
 */
final class OriginRepo implements AutoCloseable {
    final Path dir;
    final Git git;
    private final String url;
    RevCommit c1;
    RevCommit c2;
    RevCommit c3;
    RevCommit c4;

    private OriginRepo(Path dir, Git git) {
        this.dir = dir;
        this.git = git;
        this.url = dir.toUri().toString();
    }

    static OriginRepo create(Path dir) throws IOException, GitAPIException {
        Files.createDirectories(dir);
        OriginRepo r = new OriginRepo(dir, Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call());
        Path script = dir.resolve("support/scripts/run.sh");
        Files.createDirectories(script.getParent());
        Files.writeString(script, "#!/bin/sh\necho ok\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createSymbolicLink(dir.resolve("link"), Path.of("README"));
        r.c1 = r.commit("README", "one\n");
        r.c2 = r.commit("README", "two\n");
        r.git.tag().setName("RELEASE-0.1.0").setAnnotated(true).setMessage("release").setObjectId(r.c2).call();
        r.c3 = r.commit("README", "three\n");
        r.git.branchCreate().setName("stable").call();
        r.c4 = r.commit("README", "four\n");
        return r;
    }

    /** Fixed at creation: once the folder is deleted, its URI would lose the trailing slash. */
    String url() {
        return url;
    }

    RevCommit commit(String file, String content) throws IOException, GitAPIException {
        Files.writeString(dir.resolve(file), content);
        git.add().addFilepattern(".").call();
        PersonIdent who = new PersonIdent("Test", "test@example.invalid");
        return git.commit().setMessage("change " + file).setAuthor(who).setCommitter(who).call();
    }

    /** Commits on another branch, and comes back to main. */
    RevCommit commitOn(String branch, String file, String content) throws IOException, GitAPIException {
        git.checkout().setName(branch).call();
        try {
            return commit(file, content);
        } finally {
            git.checkout().setName("main").call();
        }
    }

    @Override
    public void close() {
        git.close();
    }
}
