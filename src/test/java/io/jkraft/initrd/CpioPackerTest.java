package io.jkraft.initrd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jkraft.common.UserException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CpioPackerTest {
    @TempDir
    Path dir;

    @Test
    void packWritesNewcWithFilesFoldersAndLinksOwnedByRoot() throws Exception {
        Path root = Files.createDirectories(dir.resolve("rootfs/etc"));
        Files.writeString(root.resolve("motd"), "hello\n");
        Files.createSymbolicLink(dir.resolve("rootfs/motd"), Path.of("etc/motd"));
        Path archive = dir.resolve("out/initrd.cpio");

        CpioPacker.pack(dir.resolve("rootfs"), archive);

        Map<String, String> entries = new LinkedHashMap<>();
        try (InputStream in = Files.newInputStream(archive); CpioArchiveInputStream cpio = new CpioArchiveInputStream(in)) {
            CpioArchiveEntry e;
            while ((e = cpio.getNextCPIOEntry()) != null) {
                assertThat(e.getFormat()).isEqualTo((short) 1); // newc
                assertThat(e.getUID()).isZero();
                String kind = e.isDirectory() ? "dir" : e.isSymbolicLink() ? "link:" : "file:";
                String body = e.isDirectory() ? "" : new String(cpio.readAllBytes(), StandardCharsets.UTF_8);
                entries.put(e.getName(), kind + body);
            }
        }
        assertThat(entries).containsExactly(Map.entry("./etc", "dir"), Map.entry("./etc/motd", "file:hello\n"),
                Map.entry("./motd", "link:etc/motd"));
        assertThat(Files.list(dir.resolve("out"))).as("no temporary file left").containsExactly(archive);
    }

    @Test
    void packSameFolderSameBytes() throws Exception {
        Files.createDirectories(dir.resolve("rootfs"));
        Files.writeString(dir.resolve("rootfs/a"), "a");
        CpioPacker.pack(dir.resolve("rootfs"), dir.resolve("1.cpio"));
        CpioPacker.pack(dir.resolve("rootfs"), dir.resolve("2.cpio"));
        assertThat(Files.readAllBytes(dir.resolve("1.cpio"))).isEqualTo(Files.readAllBytes(dir.resolve("2.cpio")));
    }

    @Test
    void packNotAFolderIsAUserError() {
        assertThatThrownBy(() -> CpioPacker.pack(dir.resolve("missing"), dir.resolve("x.cpio")))
                .isInstanceOf(UserException.class).hasMessageContaining("is not a folder");
    }
}
