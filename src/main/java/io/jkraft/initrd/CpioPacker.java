package io.jkraft.initrd;

import io.jkraft.common.UserException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveOutputStream;
import org.apache.commons.compress.archivers.cpio.CpioConstants;

/**
 * Packs a folder into a newc cpio archive, the initrd format Unikraft's ukcpio extracts. Entries are
 * owned by root and sorted, so the same folder always gives the same archive (and the same digest).
 */
public final class CpioPacker {
    private CpioPacker() {}

    /** Writes {@code folder}'s contents to {@code archive} through a temporary file, so no half archive is left. */
    public static void pack(Path folder, Path archive) {
        if (!Files.isDirectory(folder)) {
            throw new UserException("rootfs " + folder + " is not a folder", "point rootfs at a folder or a .cpio file");
        }
        try {
            Files.createDirectories(archive.toAbsolutePath().getParent());
            Path tmp = Files.createTempFile(archive.toAbsolutePath().getParent(), archive.getFileName().toString(), ".tmp");
            try {
                try (OutputStream out = Files.newOutputStream(tmp);
                        CpioArchiveOutputStream cpio = new CpioArchiveOutputStream(out, CpioConstants.FORMAT_NEW)) {
                    for (Path p : entries(folder)) {
                        write(cpio, folder, p);
                    }
                }
                Files.move(tmp, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UserException("cannot pack " + folder + " into " + archive + ": " + e.getMessage(), null, e);
        }
    }

    private static List<Path> entries(Path folder) throws IOException {
        try (Stream<Path> walk = Files.walk(folder)) {
            return walk.filter(p -> !p.equals(folder)).sorted().toList();
        }
    }

    private static void write(CpioArchiveOutputStream cpio, Path folder, Path p) throws IOException {
        String name = "./" + folder.relativize(p).toString().replace('\\', '/');
        CpioArchiveEntry e = new CpioArchiveEntry(CpioConstants.FORMAT_NEW, name);
        e.setUID(0);
        e.setGID(0);
        e.setNumberOfLinks(1);
        e.setTime(Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toMillis() / 1000);
        if (Files.isSymbolicLink(p)) {
            byte[] target = Files.readSymbolicLink(p).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            e.setMode(CpioConstants.C_ISLNK | 0777);
            e.setSize(target.length);
            cpio.putArchiveEntry(e);
            cpio.write(target);
        } else if (Files.isDirectory(p)) {
            e.setMode(CpioConstants.C_ISDIR | mode(p, 0755));
            cpio.putArchiveEntry(e);
        } else if (Files.isRegularFile(p)) {
            e.setMode(CpioConstants.C_ISREG | mode(p, 0644));
            e.setSize(Files.size(p));
            cpio.putArchiveEntry(e);
            Files.copy(p, cpio);
        } else {
            return; // devices, fifos and sockets have no place in a unikernel's rootfs
        }
        cpio.closeArchiveEntry();
    }

    private static int mode(Path p, int fallback) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
            int m = 0;
            for (PosixFilePermission perm : perms) {
                m |= 1 << (8 - perm.ordinal());
            }
            return m;
        } catch (UnsupportedOperationException | IOException e) {
            return fallback;
        }
    }

}
