package io.jkraft.machine.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jkraft.common.Architecture;
import io.jkraft.common.Invocation;
import io.jkraft.common.UserException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QemuDriverTest {
    @TempDir
    Path tmp;

    /** The resident helper runs commands of other folders: a relative PATH entry is the command's, not the JVM's. */
    @Test
    void qemuIsFoundOnTheCommandsPathFromTheCommandsFolder() throws Exception {
        Path project = Files.createDirectories(tmp.resolve("project"));
        Path qemu = Files.createFile(Files.createDirectories(project.resolve("tools")).resolve("qemu-system-aarch64"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        QemuDriver driver = new QemuDriver(new AcceleratorProbe(tmp.resolve("cache")),
                new Invocation(project, Map.of("PATH", "tools")));

        assertThat(driver.findBinary(Architecture.ARM64)).isEqualTo(qemu);
        assertThatThrownBy(() -> driver.findBinary(Architecture.X86_64)).isInstanceOf(UserException.class)
                .hasMessage("qemu-system-x86_64 was not found on PATH");
    }
}
