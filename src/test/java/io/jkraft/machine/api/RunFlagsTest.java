package io.jkraft.machine.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jkraft.common.UserException;
import io.jkraft.machine.api.MachineSpec.PortMapping;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunFlagsTest {
    @TempDir
    Path dir;

    @Test
    void memoryAcceptsKraftsAndDockersUnits() {
        assertThat(RunFlags.memory("64Mi")).isEqualTo(64L << 20);
        assertThat(RunFlags.memory("64M")).isEqualTo(64L << 20);
        assertThat(RunFlags.memory("1Gi")).isEqualTo(1L << 30);
        assertThat(RunFlags.memory("2g")).isEqualTo(2L << 30);
        assertThat(RunFlags.memory("4096Ki")).isEqualTo(4L << 20);
        assertThat(RunFlags.memory("128")).as("a bare number is MiB").isEqualTo(128L << 20);
    }

    @Test
    void memoryRejectsNonsenseAndTooLittle() {
        assertThatThrownBy(() -> RunFlags.memory("lots")).isInstanceOf(UserException.class).hasMessageContaining("-M lots");
        assertThatThrownBy(() -> RunFlags.memory("12Xi")).isInstanceOf(UserException.class);
        assertThatThrownBy(() -> RunFlags.memory("100K")).isInstanceOf(UserException.class).hasMessageContaining("at least");
    }

    @Test
    void portBindsLoopbackUnlessAnAddressIsGiven() {
        assertThat(RunFlags.port("8080:80")).isEqualTo(new PortMapping("127.0.0.1", 8080, 80, "tcp"));
        assertThat(RunFlags.port("0.0.0.0:53:53/udp")).isEqualTo(new PortMapping("0.0.0.0", 53, 53, "udp"));
        assertThat(RunFlags.port("[::1]:8443:443")).isEqualTo(new PortMapping("::1", 8443, 443, "tcp"));
        assertThat(RunFlags.port("localhost:1:2")).isEqualTo(new PortMapping("127.0.0.1", 1, 2, "tcp"));
    }

    @Test
    void portRejectsBadSyntaxAndRanges() {
        for (String bad : new String[] {"80", "a:b", "8080:80/sctp", "70000:80", "0:80", "1:2:3:4"}) {
            assertThatThrownBy(() -> RunFlags.port(bad)).as(bad).isInstanceOf(UserException.class).hasMessageContaining("-p " + bad);
        }
    }

    @Test
    void volumeNeedsAnExistingFolderAndAnAbsoluteGuestPath() throws Exception {
        Files.createDirectories(dir.resolve("data"));
        var v = RunFlags.volume("data:/data:ro", dir);
        assertThat(v.host()).isEqualTo(dir.resolve("data"));
        assertThat(v.guest()).isEqualTo("/data");
        assertThat(v.readOnly()).isTrue();
        assertThatThrownBy(() -> RunFlags.volume("missing:/x", dir)).isInstanceOf(UserException.class).hasMessageContaining("not a folder");
        assertThatThrownBy(() -> RunFlags.volume("data:relative", dir)).isInstanceOf(UserException.class).hasMessageContaining("absolute");
        assertThatThrownBy(() -> RunFlags.volume("data", dir)).isInstanceOf(UserException.class).hasMessageContaining("not a volume")
                .extracting(e -> ((UserException) e).hint()).asString().contains("HOST_DIR:/GUEST");
    }
}
