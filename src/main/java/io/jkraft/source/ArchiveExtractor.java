package io.jkraft.source;

import io.jkraft.common.UserException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZUtils;

/**
 * Extracts a source archive into an empty folder, dropping the first path component of every entry as
 * kraft does ({@code unikraft-RELEASE-0.17.0/Makefile} becomes {@code Makefile}).
 *
 * <p>Archives come from the network, so nothing may land outside the folder: entries with {@code ..} or an
 * absolute path are refused, no entry is written through a symlink, and after extraction every symlink is
 * resolved (following the archive's own symlinks) and refused if it leads outside or to an absolute path.
 */
final class ArchiveExtractor {
    enum Format {
        TAR, TAR_GZ, TAR_BZ2, TAR_XZ, ZIP;

        /** The format named by a path's suffix, or null. */
        static Format of(String path) {
            String p = path.toLowerCase(Locale.ROOT);
            if (p.endsWith(".tar.gz") || p.endsWith(".tgz")) {
                return TAR_GZ;
            } else if (p.endsWith(".tar.bz2") || p.endsWith(".tbz2")) {
                return TAR_BZ2;
            } else if (p.endsWith(".tar.xz") || p.endsWith(".txz")) {
                return TAR_XZ;
            } else if (p.endsWith(".tar")) {
                return TAR;
            } else if (p.endsWith(".zip")) {
                return ZIP;
            }
            return null;
        }

        /** XZ needs the optional org.tukaani:xz library, which jkraft does not ship. */
        boolean supported() {
            return this != TAR_XZ || XZUtils.isXZCompressionAvailable();
        }
    }

    private record Link(String path, String target) {}

    private static final int MAX_SYMLINK_HOPS = 40;

    private final Path dest;
    private final String what;
    private final List<Link> symlinks = new ArrayList<>();
    private final List<Link> hardLinks = new ArrayList<>();

    ArchiveExtractor(Path dest, String what) {
        this.dest = dest.toAbsolutePath().normalize();
        this.what = what;
    }

    void extract(Path archive, Format format) throws IOException {
        if (format == Format.ZIP) {
            zip(archive);
        } else {
            try (InputStream raw = new BufferedInputStream(Files.newInputStream(archive), 1 << 16)) {
                InputStream in = switch (format) {
                    case TAR_GZ -> new GzipCompressorInputStream(raw);
                    case TAR_BZ2 -> new BZip2CompressorInputStream(raw);
                    case TAR_XZ -> new XZCompressorInputStream(raw);
                    default -> raw;
                };
                tar(in);
            }
        }
        for (Link l : hardLinks) {
            Path from = dest.resolve(l.target());
            if (!Files.isRegularFile(from, LinkOption.NOFOLLOW_LINKS)) {
                throw refuse("hard link " + l.path() + " points to " + l.target()
                        + ", which is not a file in the archive");
            }
            Files.copy(from, prepare(l.path(), false), StandardCopyOption.COPY_ATTRIBUTES);
        }
        // symlinks come last so that no file is ever written through one
        List<Path> created = new ArrayList<>();
        for (Link l : symlinks) {
            Path out = prepare(l.path(), false);
            Files.createSymbolicLink(out, Path.of(l.target()));
            created.add(out);
        }
        for (Path link : created) {
            checkStaysInside(link);
        }
    }

    private void tar(InputStream in) throws IOException {
        try (TarArchiveInputStream tin = new TarArchiveInputStream(in)) {
            TarArchiveEntry e;
            while ((e = tin.getNextEntry()) != null) {
                String rel = relative(e.getName());
                if (e.isSymbolicLink()) {
                    symlink(e.getName(), rel, e.getLinkName());
                } else if (e.isLink()) {
                    String target = relative(e.getLinkName());
                    if (rel != null) {
                        hardLinks.add(new Link(rel, target == null ? e.getLinkName() : target));
                    }
                } else if (e.isDirectory()) {
                    directory(rel);
                } else if (e.isFile()) {
                    file(rel, tin, (e.getMode() & 0111) != 0);
                }
                // devices and fifos have no place in a source tree
            }
        }
    }

    private void zip(Path archive) throws IOException {
        try (ZipFile zf = ZipFile.builder().setPath(archive).get()) {
            for (ZipArchiveEntry e : Collections.list(zf.getEntriesInPhysicalOrder())) {
                String rel = relative(e.getName());
                if (e.isUnixSymlink()) {
                    symlink(e.getName(), rel, zf.getUnixSymlink(e));
                } else if (e.isDirectory()) {
                    directory(rel);
                } else {
                    try (InputStream in = zf.getInputStream(e)) {
                        file(rel, in, (e.getUnixMode() & 0111) != 0);
                    }
                }
            }
        }
    }

    private void symlink(String name, String rel, String target) {
        if (target == null || target.isEmpty() || target.startsWith("/") || target.indexOf('\0') >= 0
                || looksLikeWindowsAbsolute(target)) {
            throw refuse("symlink " + name + " points to " + target + ", outside the archive");
        }
        if (rel != null) {
            symlinks.add(new Link(rel, target));
        }
    }

    private void directory(String rel) throws IOException {
        if (rel != null) {
            Path out = prepare(rel, true);
            if (!Files.isDirectory(out, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectory(out);
            }
        }
    }

    private void file(String rel, InputStream in, boolean executable) throws IOException {
        if (rel == null) {
            return;
        }
        Path out = prepare(rel, false);
        Files.copy(in, out);
        if (Files.getFileStore(out).supportsFileAttributeView("posix")) {
            Files.setPosixFilePermissions(out, executable ? TreeCheckout.EXECUTABLE : TreeCheckout.REGULAR);
        }
    }

    /**
     * The path for an entry, with its parent folders created; refuses when a parent is a symlink or a
     * file. A non-folder already there is removed: an archive listing a path twice means the last one.
     */
    private Path prepare(String rel, boolean forDirectory) throws IOException {
        Path out = dest.resolve(rel).normalize();
        if (!out.startsWith(dest) || out.equals(dest)) {
            throw refuse("entry " + rel + " leaves the destination");
        }
        Path p = dest;
        for (Path part : dest.relativize(out.getParent())) {
            p = p.resolve(part);
            if (Files.isSymbolicLink(p)) {
                throw refuse("entry " + rel + " lies under the symlink " + dest.relativize(p));
            }
            if (Files.exists(p, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                throw refuse("entry " + rel + " lies under the file " + dest.relativize(p));
            }
        }
        Files.createDirectories(out.getParent());
        if (Files.isDirectory(out, LinkOption.NOFOLLOW_LINKS)) {
            if (!forDirectory) {
                throw refuse("entry " + rel + " is both a folder and a file");
            }
        } else {
            Files.deleteIfExists(out);
        }
        return out;
    }

    /** The entry's path after dropping its first component, or null when nothing is left. */
    private String relative(String name) {
        if (name == null || name.startsWith("/") || name.startsWith("\\") || looksLikeWindowsAbsolute(name)) {
            throw refuse("entry " + name + " has an absolute path");
        }
        List<String> parts = new ArrayList<>();
        for (String part : name.split("/")) {
            if (part.equals("..")) {
                throw refuse("entry " + name + " climbs out with ..");
            }
            if (part.indexOf('\0') >= 0) {
                throw refuse("entry " + name + " has a NUL character in its name");
            }
            if (!part.isEmpty() && !part.equals(".")) {
                parts.add(part);
            }
        }
        if (parts.size() <= 1) {
            return null;
        }
        String rel = String.join("/", parts.subList(1, parts.size()));
        try {
            dest.resolve(rel);
        } catch (InvalidPathException e) {
            throw refuse("entry " + name + " is not a valid path here");
        }
        return rel;
    }

    private static boolean looksLikeWindowsAbsolute(String s) {
        return s.length() >= 2 && Character.isLetter(s.charAt(0)) && s.charAt(1) == ':';
    }

    /**
     * Follows a symlink the way the kernel would, one component at a time, through the archive's other
     * symlinks, and refuses it if it ever steps above the destination.
     */
    private void checkStaysInside(Path link) throws IOException {
        Path cur = link.getParent();
        Deque<String> todo = new ArrayDeque<>();
        pushFront(todo, Files.readSymbolicLink(link).toString());
        int hops = 0;
        while (!todo.isEmpty()) {
            String c = todo.pollFirst();
            if (c.isEmpty() || c.equals(".")) {
                continue;
            }
            if (c.equals("..")) {
                if (cur.equals(dest)) {
                    throw refuse("symlink " + dest.relativize(link) + " leads outside the archive");
                }
                cur = cur.getParent();
                continue;
            }
            Path next = cur.resolve(c);
            if (Files.isSymbolicLink(next)) {
                if (++hops > MAX_SYMLINK_HOPS) {
                    throw refuse("symlink " + dest.relativize(link) + " is part of a loop");
                }
                String target = Files.readSymbolicLink(next).toString();
                if (target.startsWith("/")) {
                    throw refuse("symlink " + dest.relativize(link) + " leads to " + target);
                }
                pushFront(todo, target);
            } else {
                cur = next;
            }
        }
    }

    private static void pushFront(Deque<String> todo, String path) {
        String[] parts = path.split("/");
        for (int i = parts.length - 1; i >= 0; i--) {
            todo.addFirst(parts[i]);
        }
    }

    private UserException refuse(String why) {
        return new UserException(what + ": refusing to extract the archive: " + why,
                "the archive is malformed or malicious; use an archive from a trusted source");
    }
}
