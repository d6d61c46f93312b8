package io.jkraft.pkg.oci;

import io.jkraft.common.UserException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Extracts the files of one image manifest into a folder, refusing any layer entry that would write
 * outside it: {@code ..} parts, absolute names, links pointing out, or files reached through a link.
 * Each layer's digest is checked in full before any of its files is written.
 */
public final class ImageUnpacker {
    private final OciLayout layout;

    public ImageUnpacker(OciLayout layout) {
        this.layout = layout;
    }

    /** What an unpacked image holds; {@code initrd} is null when the image has none. */
    public record UnpackedImage(Path kernel, Path initrd, List<String> cmd, List<String> env, ImagePlatform platform) {}

    public UnpackedImage unpack(Descriptor manifest, Path destination) {
        try {
            Files.createDirectories(destination);
            Path dest = destination.toRealPath();
            OciManifest m = layout.readManifest(manifest);
            ImageConfig config = layout.readConfig(m.config());
            for (Descriptor layer : m.layers()) {
                layout.verifyBlob(layer);
                try (InputStream in = layout.openBlob(layer);
                     TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
                    TarArchiveEntry e;
                    while ((e = tar.getNextEntry()) != null) {
                        extract(tar, e, dest, layer);
                    }
                }
            }
            Path kernel = dest.resolve(ImagePacker.KERNEL_PATH.substring(1));
            if (!Files.isRegularFile(kernel, LinkOption.NOFOLLOW_LINKS)) {
                throw new UserException("image " + manifest.digest() + " holds no " + ImagePacker.KERNEL_PATH,
                        "it is not a Unikraft image");
            }
            Path initrd = dest.resolve(ImagePacker.INITRD_PATH.substring(1));
            return new UnpackedImage(kernel, Files.isRegularFile(initrd, LinkOption.NOFOLLOW_LINKS) ? initrd : null,
                    config.execution().cmd(), config.execution().env(), config.platform());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack " + manifest.digest() + " into " + destination, e);
        }
    }

    private static void extract(TarArchiveInputStream tar, TarArchiveEntry e, Path dest, Descriptor layer)
            throws IOException {
        Path target = inside(dest, e.getName(), e, layer);
        if (e.isDirectory()) {
            ensureNoLinkOnPath(dest, target, e, layer);
            Files.createDirectories(target);
            return;
        }
        ensureNoLinkOnPath(dest, target.getParent(), e, layer);
        Files.createDirectories(target.getParent());
        ensureNoLinkOnPath(dest, target.getParent(), e, layer);
        if (e.isSymbolicLink()) {
            String link = e.getLinkName();
            if (link.startsWith("/") || !target.getParent().resolve(link).normalize().startsWith(dest)) {
                throw refused(e, layer, "it is a link to " + link + ", outside the image");
            }
            Files.deleteIfExists(target);
            Files.createSymbolicLink(target, Path.of(link));
        } else if (e.isLink()) {
            Path source = inside(dest, e.getLinkName(), e, layer);
            ensureNoLinkOnPath(dest, source, e, layer);
            if (!Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS)) {
                throw refused(e, layer, "it is a hard link to " + e.getLinkName() + ", not a file of the image");
            }
            Files.deleteIfExists(target);
            Files.createLink(target, source);
        } else if (e.isFile()) {
            Files.deleteIfExists(target);
            // NOFOLLOW and CREATE_NEW: a link planted between the check and the write makes this fail, not escape
            try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                tar.transferTo(out);
            }
            int mode = e.getMode() & 0777;
            Files.setPosixFilePermissions(target, java.nio.file.attribute.PosixFilePermissions.fromString(rwx(mode)));
        } else {
            throw refused(e, layer, "it is neither a file, a folder nor a link");
        }
    }

    /** The entry's path under dest, refusing names that are absolute or climb out. */
    private static Path inside(Path dest, String name, TarArchiveEntry e, Descriptor layer) {
        if (name.startsWith("/") || name.startsWith("\\")) {
            throw refused(e, layer, "its name " + name + " is absolute");
        }
        for (String part : name.split("[/\\\\]")) {
            if (part.equals("..")) {
                throw refused(e, layer, "its name " + name + " climbs out with '..'");
            }
        }
        Path target = dest.resolve(name).normalize();
        if (!target.startsWith(dest) || target.equals(dest)) {
            throw refused(e, layer, "its name " + name + " is not inside the image");
        }
        return target;
    }

    /** Refuses when any existing folder between dest and path is a symbolic link (an earlier entry's). */
    private static void ensureNoLinkOnPath(Path dest, Path path, TarArchiveEntry e, Descriptor layer) {
        for (Path p = path; p != null && !p.equals(dest); p = p.getParent()) {
            if (Files.isSymbolicLink(p)) {
                throw refused(e, layer, "it would be written through the link " + dest.relativize(p));
            }
        }
    }

    private static UserException refused(TarArchiveEntry e, Descriptor layer, String why) {
        return new UserException("refusing entry '" + e.getName() + "' of layer " + layer.digest() + ": " + why,
                "the image is malformed or malicious; do not run it");
    }

    private static String rwx(int mode) {
        StringBuilder s = new StringBuilder();
        String letters = "rwxrwxrwx";
        for (int i = 0; i < 9; i++) {
            s.append((mode & (1 << (8 - i))) != 0 ? letters.charAt(i) : '-');
        }
        return s.toString();
    }
}
