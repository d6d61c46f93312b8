package io.jkraft.source;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.eclipse.jgit.errors.CorruptObjectException;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * Writes one commit's tree into an empty folder straight from the object database: no index, no work
 * tree, no filters, so the result is exactly what the commit holds, with executable bits and symlinks.
 */
final class TreeCheckout {
    static final Set<PosixFilePermission> EXECUTABLE = PosixFilePermissions.fromString("rwxr-xr-x");
    static final Set<PosixFilePermission> REGULAR = PosixFilePermissions.fromString("rw-r--r--");

    private TreeCheckout() {}

    static void write(Repository repo, ObjectId commit, Path dest) throws IOException {
        boolean posix = Files.getFileStore(dest).supportsFileAttributeView("posix");
        try (RevWalk rw = new RevWalk(repo);
                ObjectReader reader = repo.newObjectReader();
                TreeWalk tw = new TreeWalk(repo, reader)) {
            RevCommit c = rw.parseCommit(commit);
            tw.addTree(c.getTree());
            tw.setRecursive(false);
            while (tw.next()) {
                checkName(tw.getNameString(), tw.getPathString());
                Path out = dest.resolve(tw.getPathString());
                int raw = tw.getRawMode(0);
                switch (raw & FileMode.TYPE_MASK) {
                    case FileMode.TYPE_TREE -> {
                        Files.createDirectory(out);
                        tw.enterSubtree();
                    }
                    // a submodule's content lives in another repository; an empty folder marks its place
                    case FileMode.TYPE_GITLINK -> Files.createDirectory(out);
                    case FileMode.TYPE_SYMLINK -> {
                        String target = new String(reader.open(tw.getObjectId(0)).getCachedBytes(),
                                StandardCharsets.UTF_8);
                        Files.createSymbolicLink(out, Path.of(target));
                    }
                    default -> {
                        try (OutputStream os = Files.newOutputStream(out, StandardOpenOption.CREATE_NEW)) {
                            reader.open(tw.getObjectId(0)).copyTo(os);
                        }
                        if (posix) {
                            Files.setPosixFilePermissions(out, (raw & 0111) != 0 ? EXECUTABLE : REGULAR);
                        }
                    }
                }
            }
        }
    }

    /** Fetched trees are checked by JGit already; this guards trees that entered the repository otherwise. */
    private static void checkName(String name, String path) throws CorruptObjectException {
        if (name.isEmpty() || name.equals(".") || name.equals("..") || name.equalsIgnoreCase(".git")
                || name.indexOf('/') >= 0 || name.indexOf('\0') >= 0) {
            throw new CorruptObjectException("unsafe path in git tree: " + path);
        }
    }
}
