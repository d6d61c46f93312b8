package io.jkraft.source;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/** Builds archives in memory, including the malformed ones a real tar tool would refuse to write. */
final class TestArchives {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final TarArchiveOutputStream tar;

    private TestArchives(boolean gzip) throws IOException {
        OutputStream out = gzip ? new GzipCompressorOutputStream(bytes) : bytes;
        tar = new TarArchiveOutputStream(out);
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    }

    static TestArchives tarGz() throws IOException {
        return new TestArchives(true);
    }

    static TestArchives tar() throws IOException {
        return new TestArchives(false);
    }

    TestArchives dir(String name) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name.endsWith("/") ? name : name + "/", true);
        tar.putArchiveEntry(e);
        tar.closeArchiveEntry();
        return this;
    }

    TestArchives file(String name, String content, int mode) throws IOException {
        byte[] data = content.getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry e = new TarArchiveEntry(name, true);
        e.setSize(data.length);
        e.setMode(mode);
        tar.putArchiveEntry(e);
        tar.write(data);
        tar.closeArchiveEntry();
        return this;
    }

    TestArchives symlink(String name, String target) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK, true);
        e.setLinkName(target);
        tar.putArchiveEntry(e);
        tar.closeArchiveEntry();
        return this;
    }

    byte[] bytes() throws IOException {
        tar.close();
        return bytes.toByteArray();
    }

    /** A source-like tree in {@code pkg-1.0/}: Makefile, executable script, symlink. */
    static byte[] sampleTarGz() throws IOException {
        return tarGz().dir("pkg-1.0/").file("pkg-1.0/Makefile", "all:\n", 0644)
                .dir("pkg-1.0/scripts").file("pkg-1.0/scripts/run.sh", "#!/bin/sh\n", 0755)
                .symlink("pkg-1.0/link", "Makefile").bytes();
    }

    static byte[] sampleZip() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(out)) {
            ZipArchiveEntry mk = new ZipArchiveEntry("pkg-1.0/Makefile");
            mk.setUnixMode(0100644);
            zip.putArchiveEntry(mk);
            zip.write("all:\n".getBytes(StandardCharsets.UTF_8));
            zip.closeArchiveEntry();
            ZipArchiveEntry run = new ZipArchiveEntry("pkg-1.0/scripts/run.sh");
            run.setUnixMode(0100755);
            zip.putArchiveEntry(run);
            zip.write("#!/bin/sh\n".getBytes(StandardCharsets.UTF_8));
            zip.closeArchiveEntry();
            ZipArchiveEntry link = new ZipArchiveEntry("pkg-1.0/link");
            link.setUnixMode(0120777);
            zip.putArchiveEntry(link);
            zip.write("Makefile".getBytes(StandardCharsets.UTF_8));
            zip.closeArchiveEntry();
        }
        return out.toByteArray();
    }
}
