package io.jkraft.build;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.List;

/**
 * The empty {@code Makefile.uk} an application folder without one needs while make runs: the core includes
 * the app's Makefile.uk unconditionally ("No rule to make target .../Makefile.uk"), and catalog apps that are
 * only a Kraftfile and libraries (library/redis/7.0) have none. kraft creates one and leaves it behind; jkraft
 * supplies it for the time make runs and removes it afterwards, so the user's folder is as they left it.
 *
 * <p>One instance serves every make of one build, in parallel targets too: the file appears with the first
 * {@link #supply} and goes with the last {@link Lease#close}. It is removed only while it is still the file
 * jkraft made (same inode, birth and modification time, still empty): a Makefile.uk the user writes meanwhile is theirs and stays. A JVM
 * shutdown hook removes it when the JVM ends during make (Ctrl-C on a build in its own JVM); in the resident
 * helper an interrupt ends make and the lease is closed on the way out.
 */
final class AppMakefile {
    static final String NAME = "Makefile.uk";

    private final Path file;
    private int leases;
    private List<Object> ours; // what identifies the Makefile.uk jkraft created, while it exists
    private Thread hook;

    AppMakefile(Path appDir) {
        this.file = appDir.resolve(NAME);
    }

    /** A lease on the app's Makefile.uk for one make run: the user's own, or an empty one made now. */
    synchronized Lease supply() {
        if (leases == 0 && !Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            create();
        }
        leases++;
        return this::release;
    }

    /** What {@link #supply} returns; closing it never throws. */
    interface Lease extends AutoCloseable {
        @Override
        void close();
    }

    private synchronized void release() {
        if (--leases == 0) {
            removeOurs();
            if (hook != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook runs already and removes the file itself
                }
                hook = null;
            }
        }
    }

    private void create() {
        try {
            Files.createFile(file);
            ours = identity(Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS));
        } catch (java.nio.file.FileAlreadyExistsException raced) {
            return; // someone else's now: use it, remove nothing
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the empty " + file + " the core needs", e);
        }
        hook = new Thread(this::removeOursOnExit, "jkraft-app-makefile");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /**
     * The inode alone is not enough: a file deleted and written again at once often gets the same number.
     * Its birth and modification times (nanoseconds here) tell the user's new file from jkraft's.
     */
    private static List<Object> identity(BasicFileAttributes attrs) {
        return Arrays.asList(attrs.fileKey(), attrs.creationTime(), attrs.lastModifiedTime());
    }

    private void removeOursOnExit() {
        synchronized (this) {
            removeOurs();
        }
    }

    private void removeOurs() {
        if (ours == null) {
            return;
        }
        try {
            BasicFileAttributes now = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (identity(now).equals(ours) && now.isRegularFile() && now.size() == 0) {
                Files.delete(file);
            }
        } catch (IOException gone) {
            // removed or replaced by someone else: nothing of ours is left
        }
        ours = null;
    }
}
