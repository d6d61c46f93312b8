package io.jkraft.initrd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jkraft.common.UserException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RootfsInitrdTest {
    @TempDir
    Path dir;

    @Test
    void folderIsPackedIntoTheCacheFileIsUsedAsIsNoneIsNull() throws Exception {
        Files.createDirectories(dir.resolve("rootfs"));
        Files.writeString(dir.resolve("rootfs/hello"), "hi");
        Path packed = RootfsInitrd.resolve(dir.resolve("rootfs"), dir.resolve("cache"));
        assertThat(packed).startsWith(dir.resolve("cache/initrd")).isRegularFile();
        assertThat(RootfsInitrd.resolve(dir.resolve("rootfs"), dir.resolve("cache"))).as("same folder, same file")
                .isEqualTo(packed);

        Path cpio = Files.writeString(dir.resolve("given.cpio"), "070701");
        assertThat(RootfsInitrd.resolve(cpio, dir.resolve("cache"))).isEqualTo(cpio);
        assertThat(RootfsInitrd.resolve(null, dir.resolve("cache"))).isNull();
    }

    @Test
    void dockerfileAndMissingPathsAreClearErrors() throws Exception {
        Path dockerfile = Files.writeString(dir.resolve("Dockerfile"), "FROM scratch\n");
        assertThatThrownBy(() -> RootfsInitrd.resolve(dockerfile, dir)).isInstanceOf(UserException.class)
                .hasMessageContaining("Dockerfile").hasMessageContaining("BuildKit");
        assertThatThrownBy(() -> RootfsInitrd.resolve(dir.resolve("nope"), dir)).isInstanceOf(UserException.class)
                .hasMessageContaining("does not exist");
    }
}
