package io.jkraft.machine.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jkraft.common.Architecture;
import io.jkraft.common.GdbEndpoint;
import io.jkraft.common.Platform;
import io.jkraft.common.UserException;
import io.jkraft.machine.api.MachineSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SpecCodecTest {
    private final SpecCodec codec = new SpecCodec();

    @Test
    void aSpecWithEveryFieldSurvivesTheRoundTrip() {
        MachineSpec spec = Specs.spec("web", Specs.tcp(8080), Specs.port("0.0.0.0", 5353, 53, "udp"));
        assertThat(codec.read("id", codec.write(spec))).isEqualTo(spec);
        MachineSpec withGdb = spec.withGdb(new GdbEndpoint.Tcp(40123));
        assertThat(codec.write(withGdb)).contains("\"gdbPort\":40123");
        assertThat(codec.read("id", codec.write(withGdb))).isEqualTo(withGdb);
        MachineSpec withSocket = spec.withGdb(new GdbEndpoint.UnixSocket(Path.of("/run/user/1000/web.gdb")));
        assertThat(codec.write(withSocket)).contains("\"gdbSocket\":\"/run/user/1000/web.gdb\"").doesNotContain("gdbPort");
        assertThat(codec.read("id", codec.write(withSocket))).isEqualTo(withSocket);
    }

    @Test
    void absentOptionalPartsStayAbsent() {
        MachineSpec bare = new MachineSpec(null, Path.of("/k"), Platform.QEMU, Architecture.ARM64, 1L << 30, 2, List.of(), List.of(),
                Map.of(), List.of(), List.of(), null, io.jkraft.machine.api.Acceleration.TCG, null);
        String json = codec.write(bare);
        assertThat(json).contains("\"initrd\":null", "\"accel\":\"tcg\"").doesNotContain("gdb");
        assertThat(codec.read("id", json)).isEqualTo(bare);
    }

    @Test
    void readsWhatEarlierVersionsWroteAndSkipsFieldsItDoesNotKnow() {
        // The layout Jackson's data binding wrote for the record, plus fields of a newer jkraft.
        String json = """
                {"name":"old","kernel":"/images/k","platform":"qemu","architecture":"x86_64","memoryBytes":67108864,
                 "cpus":1,"kernelArgs":["a=b"],"appArgs":["x y"],"env":{"K":"V"},
                 "ports":[{"hostIp":"127.0.0.1","hostPort":8080,"guestPort":80,"protocol":"tcp","extra":1}],
                 "volumes":[{"host":"/srv","guest":"/data","readOnly":false}],"initrd":null,"acceleration":true,
                 "gdb":{"port":1234,"nested":[1,2,{"x":null}]},"future":"value"}""";
        MachineSpec spec = codec.read("id", json);
        assertThat(spec.name()).isEqualTo("old");
        assertThat(spec.kernel()).isEqualTo(Path.of("/images/k"));
        assertThat(spec.appArgs()).containsExactly("x y");
        assertThat(spec.env()).containsExactlyEntriesOf(Map.of("K", "V"));
        assertThat(spec.ports()).containsExactly(new MachineSpec.PortMapping("127.0.0.1", 8080, 80, "tcp"));
        assertThat(spec.volumes()).containsExactly(new MachineSpec.VolumeMapping(Path.of("/srv"), "/data", false));
        assertThat(spec.initrd()).isNull();
        assertThat(spec.gdb()).isNull();
        assertThat(spec.acceleration()).isEqualTo(io.jkraft.machine.api.Acceleration.AUTO);
        assertThat(codec.read("id", json.replace("\"acceleration\":true", "\"acceleration\":false")).acceleration())
                .as("-W as an older jkraft stored it").isEqualTo(io.jkraft.machine.api.Acceleration.TCG);
    }

    @Test
    void aDamagedSpecIsOneClearErrorNamingTheMachine() {
        assertThatThrownBy(() -> codec.read("0123abcd", "{\"name\":\"x\",\"kernelArgs\":{}}"))
                .isInstanceOf(UserException.class)
                .hasMessageContaining("machine 0123abcd is unreadable")
                .hasMessageContaining("START_ARRAY");
        assertThatThrownBy(() -> codec.read("0123abcd", "{\"name\":")).isInstanceOf(UserException.class);
    }
}
