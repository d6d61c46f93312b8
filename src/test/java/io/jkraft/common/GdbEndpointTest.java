package io.jkraft.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GdbEndpointTest {
    private static final IntSupplier NO_FREE_PORT = () -> {
        throw new AssertionError("no free port is asked for a value");
    };

    @TempDir
    Path dir;

    @Test
    void aPortIsALoopbackEndpointAsQemuAndGdbTakeIt() {
        GdbEndpoint gdb = GdbEndpoint.parse("1234", dir, NO_FREE_PORT);
        assertThat(gdb).isEqualTo(new GdbEndpoint.Tcp(1234));
        assertThat(gdb.qemuDevice()).isEqualTo("tcp:127.0.0.1:1234");
        assertThat(gdb.gdbTarget()).isEqualTo("127.0.0.1:1234");
        assertThat(gdb).hasToString("127.0.0.1:1234");
        assertThat(gdb.address()).isEqualTo(new InetSocketAddress("127.0.0.1", 1234));
    }

    @Test
    void noValueTakesTheFreePortItIsGiven() {
        assertThat(GdbEndpoint.parse("", dir, () -> 40404)).isEqualTo(new GdbEndpoint.Tcp(40404));
    }

    @Test
    void aUnixSocketIsResolvedAgainstTheBaseFolder() {
        GdbEndpoint gdb = GdbEndpoint.parse("unix:sub/../g.sock", dir, NO_FREE_PORT);
        Path socket = dir.resolve("g.sock").toAbsolutePath();
        assertThat(gdb).isEqualTo(new GdbEndpoint.UnixSocket(socket));
        assertThat(gdb.qemuDevice()).isEqualTo("unix:" + socket + ",server=on,wait=off");
        assertThat(gdb.gdbTarget()).isEqualTo(socket.toString());
        assertThat(gdb).hasToString("unix:" + socket);
        assertThat(gdb.address()).isEqualTo(UnixDomainSocketAddress.of(socket));
        assertThat(GdbEndpoint.parse("unix:" + socket, Path.of("/elsewhere"), NO_FREE_PORT)).isEqualTo(gdb);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "65536", "99999", "x", "12ab", "-1", "tcp:1234"})
    void aValueThatIsNoPortIsOneErrorSayingHowToWriteIt(String value) {
        assertThatThrownBy(() -> GdbEndpoint.parse(value, dir, NO_FREE_PORT)).isInstanceOf(UserException.class)
                .hasMessage("--gdb=" + value + ": not a port (1-65535) or unix:PATH")
                .extracting(e -> ((UserException) e).hint()).isEqualTo(GdbEndpoint.USAGE);
    }

    @Test
    void aSocketWithoutAPathInAMissingFolderOrTooLongIsOneError() {
        assertThatThrownBy(() -> GdbEndpoint.parse("unix:", dir, NO_FREE_PORT))
                .hasMessage("--gdb=unix: needs the path of the socket to create");
        assertThatThrownBy(() -> GdbEndpoint.parse("unix:no/g.sock", dir, NO_FREE_PORT))
                .hasMessage("--gdb=unix:no/g.sock: folder " + dir.resolve("no") + " does not exist");
        String longName = "g".repeat(GdbEndpoint.MAX_SOCKET_PATH);
        assertThatThrownBy(() -> GdbEndpoint.parse("unix:" + longName, dir, NO_FREE_PORT)).isInstanceOf(UserException.class)
                .hasMessageContaining("longer than unix sockets allow (107 bytes)");
    }

    @Test
    void onlyAPortOrUnixPathIsTakenAsGdbsValue() {
        assertThat(GdbEndpoint.isValue("1234")).isTrue();
        assertThat(GdbEndpoint.isValue("unix:/tmp/g.sock")).isTrue();
        assertThat(GdbEndpoint.isValue("unix:")).isTrue();
        assertThat(GdbEndpoint.isValue("app")).isFalse();
        assertThat(GdbEndpoint.isValue("123456")).isFalse();
        assertThat(GdbEndpoint.isValue("-d")).isFalse();
    }

    @Test
    void anEndpointOutOfRangeCannotBeMade() {
        assertThatThrownBy(() -> new GdbEndpoint.Tcp(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new GdbEndpoint.Tcp(70000)).isInstanceOf(IllegalArgumentException.class);
    }
}
