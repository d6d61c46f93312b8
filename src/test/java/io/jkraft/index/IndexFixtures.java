package io.jkraft.index;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/** Tarballs and index files the index tests serve as resources. */
public final class IndexFixtures {
    private IndexFixtures() {}

    /** A .tar.gz of a folder under one top folder {@code prefix/}, as release tarballs are; modes kept. */
    public static byte[] tarGz(Path dir, String prefix) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(bytes))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            List<Path> files;
            try (Stream<Path> walk = Files.walk(dir)) {
                files = walk.sorted().toList();
            }
            for (Path p : files) {
                String rel = dir.relativize(p).toString();
                String name = prefix + "/" + rel + (Files.isDirectory(p) && !rel.isEmpty() ? "/" : "");
                if (rel.isEmpty()) {
                    name = prefix + "/";
                }
                TarArchiveEntry e = new TarArchiveEntry(name);
                if (Files.isRegularFile(p)) {
                    e.setSize(Files.size(p));
                    e.setMode(Files.isExecutable(p) ? 0755 : 0644);
                    tar.putArchiveEntry(e);
                    Files.copy(p, tar);
                } else {
                    e.setMode(0755);
                    tar.putArchiveEntry(e);
                }
                tar.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    /** A small library tarball with one file holding {@code content}. */
    static byte[] libTarGz(Path tmp, String name, String content) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("lib-src-" + name + "-" + content.hashCode()));
        Files.writeString(dir.resolve("Makefile.uk"), "# " + content + "\n");
        Files.writeString(dir.resolve("VERSION"), content + "\n");
        return tarGz(dir, "lib-" + name + "-" + content);
    }

    public static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Files left in a source cache's {@code archives/} and {@code tmp/} (what a failed pull must not leave). */
    static List<Path> leftovers(Path sourcesDir) throws IOException {
        List<Path> out = new java.util.ArrayList<>();
        for (String sub : List.of("archives", "tmp", "archive-urls")) {
            Path d = sourcesDir.resolve(sub);
            if (Files.isDirectory(d)) {
                try (Stream<Path> s = Files.list(d)) {
                    out.addAll(s.toList());
                }
            }
        }
        return out;
    }
}
