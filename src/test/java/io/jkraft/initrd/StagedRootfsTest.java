package io.jkraft.initrd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jkraft.common.UserException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StagedRootfsTest {
    @TempDir
    Path tmp;

    @Test
    void installAtWritesOnlyWhenTheBytesChangedAndCloseRemovesTheStagedArchive() throws Exception {
        Path rootfs = Files.createDirectories(tmp.resolve("root fs"));
        Files.writeString(rootfs.resolve("motd"), "hello\n");
        Path target = tmp.resolve("out").resolve("initramfs-x86_64.cpio");
        Path staging = tmp.resolve("staging");

        try (StagedRootfs staged = StagedRootfs.stage(rootfs, staging)) {
            assertThat(staged.installAt(target)).isTrue();
        }
        assertThat(staging).isEmptyDirectory();
        FileTime written = FileTime.fromMillis(1_000_000_000L);
        Files.setLastModifiedTime(target, written);

        try (StagedRootfs again = StagedRootfs.stage(rootfs, staging)) {
            assertThat(again.installAt(target)).as("same folder, same bytes").isFalse();
        }
        assertThat(Files.getLastModifiedTime(target)).as("left alone for make").isEqualTo(written);

        Files.setPosixFilePermissions(rootfs.resolve("motd"), PosixFilePermissions.fromString("rwx------"));
        try (StagedRootfs changed = StagedRootfs.stage(rootfs, staging)) {
            assertThat(changed.installAt(target)).as("a mode is part of the archive").isTrue();
            assertThat(target).hasSameBinaryContentAs(tmp.resolve("staging").resolve(
                    Files.list(staging).findFirst().orElseThrow().getFileName()));
        }
        assertThat(tmp.resolve("out")).as("no temporary file left beside it")
                .isDirectoryContaining(p -> p.equals(target)).isDirectoryNotContaining(p -> p.toString().endsWith(".tmp"));
    }

    @Test
    void digestFollowsNamesContentsAndModes() throws Exception {
        Path rootfs = Files.createDirectories(tmp.resolve("r"));
        Path f = Files.writeString(rootfs.resolve("a"), "1");
        Files.setLastModifiedTime(f, FileTime.fromMillis(0));
        String first = digest(rootfs);
        assertThat(digest(rootfs)).isEqualTo(first);
        Files.writeString(f, "2");
        Files.setLastModifiedTime(f, FileTime.fromMillis(0));
        assertThat(digest(rootfs)).isNotEqualTo(first);
        Files.move(f, rootfs.resolve("b"));
        String renamed = digest(rootfs);
        Files.setPosixFilePermissions(rootfs.resolve("b"), PosixFilePermissions.fromString("r--------"));
        assertThat(digest(rootfs)).isNotEqualTo(renamed);
    }

    @Test
    void aCpioFileIsTakenAsItIsAndADockerfileIsRefused() throws Exception {
        Path cpio = Files.write(tmp.resolve("root.cpio"), new byte[] {1, 2, 3});
        try (StagedRootfs staged = StagedRootfs.stage(cpio, tmp.resolve("staging"))) {
            assertThat(staged.installAt(cpio)).as("it is the target itself").isFalse();
            assertThat(staged.installAt(tmp.resolve("copy.cpio"))).isTrue();
        }
        assertThat(cpio).as("a file of the user's is never removed").exists();
        assertThat(tmp.resolve("copy.cpio")).hasBinaryContent(new byte[] {1, 2, 3});
        assertThatThrownBy(() -> StagedRootfs.stage(Files.writeString(tmp.resolve("Dockerfile"), "FROM x"), tmp))
                .isInstanceOf(UserException.class).hasMessageContaining("Dockerfile");
    }

    private String digest(Path rootfs) {
        try (StagedRootfs s = StagedRootfs.stage(rootfs, tmp.resolve("d"))) {
            return s.digest().toString();
        }
    }
}
