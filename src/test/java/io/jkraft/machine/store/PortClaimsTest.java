package io.jkraft.machine.store;

import static io.jkraft.machine.store.Specs.port;
import static io.jkraft.machine.store.Specs.spec;
import static io.jkraft.machine.store.Specs.tcp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jkraft.common.UserException;
import io.jkraft.machine.api.MachineSpec;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PortClaimsTest {
    @TempDir
    Path tmp;

    MachineStore store;

    @BeforeEach
    void setUp() {
        store = MachineStore.open(tmp);
    }

    @Test
    void aHostPortClaimedTwiceNamesTheHolder() {
        store.create(spec("first", tcp(8080)));
        assertThatThrownBy(() -> store.create(spec("second", tcp(8080))))
                .isInstanceOf(UserException.class)
                .hasMessageContaining("machine first already publishes 127.0.0.1:8080->80/tcp")
                .hasMessageContaining("for machine second")
                .satisfies(e -> assertThat(((UserException) e).hint()).contains("jkraft rm first"));
        assertThat(store.find("second")).isEmpty();
    }

    @Test
    void aFailedCreateClaimsNothing() {
        store.create(spec("first", tcp(8081)));
        assertThatThrownBy(() -> store.create(spec("second", tcp(8080), tcp(8081))))
                .isInstanceOf(UserException.class);
        // 8080 was checked before 8081 failed; it must not stay claimed
        assertThat(store.create(spec("third", tcp(8080))).name()).isEqualTo("third");
    }

    @Test
    void generatedNamesAreNamedInConflicts() {
        MachineRecord holder = store.create(spec(null, tcp(9000)));
        assertThatThrownBy(() -> store.create(spec(null, tcp(9000))))
                .hasMessageContaining("machine " + holder.name() + " already publishes");
    }

    @Test
    void specificAddressesShareAPortButWildcardsTakeItEverywhere() {
        store.create(spec("local", port("127.0.0.1", 8080, 80, "tcp")));
        store.create(spec("lan", port("192.168.1.2", 8080, 80, "tcp")));
        store.create(spec("udp", port("127.0.0.1", 8080, 80, "udp")));
        assertThatThrownBy(() -> store.create(spec("any", port("0.0.0.0", 8080, 80, "tcp"))))
                .hasMessageContaining("machine local already publishes");
        assertThatThrownBy(() -> store.create(spec("any6", port("[::]", 8080, 80, "tcp"))))
                .hasMessageContaining("already publishes");

        store.create(spec("wild", port("0.0.0.0", 9090, 80, "tcp")));
        assertThatThrownBy(() -> store.create(spec("behind", port("10.0.0.1", 9090, 80, "tcp"))))
                .hasMessageContaining("machine wild already publishes 0.0.0.0:9090->80/tcp");
        assertThatThrownBy(() -> store.create(spec("v6", port("::", 9090, 80, "tcp"))))
                .hasMessageContaining("machine wild");
        assertThat(store.create(spec("wild-udp", port("0.0.0.0", 9090, 80, "udp"))).name())
                .as("a tcp wildcard leaves the udp port free").isEqualTo("wild-udp");
        assertThat(store.list()).extracting(MachineRecord::name)
                .containsExactlyInAnyOrder("local", "lan", "udp", "wild", "wild-udp");
    }

    @Test
    void addressSpellingsMeet() {
        store.create(spec("v6", port("::1", 7000, 80, "tcp")));
        assertThatThrownBy(() -> store.create(spec("long", port("[0:0:0:0:0:0:0:1]", 7000, 80, "TCP"))))
                .hasMessageContaining("machine v6");
        store.create(spec("dflt", port(null, 7001, 80, null)));
        assertThatThrownBy(() -> store.create(spec("explicit", port("127.0.0.1", 7001, 80, "tcp"))))
                .hasMessageContaining("machine dflt");
    }

    @Test
    void aSpecCannotPublishOnePortTwice() {
        assertThatThrownBy(() -> store.create(spec("twice", tcp(8080), port("0.0.0.0", 8080, 81, "tcp"))))
                .isInstanceOf(UserException.class).hasMessageContaining("twice");
        assertThatThrownBy(() -> store.create(spec("bad", port(null, 70000, 80, "tcp"))))
                .hasMessageContaining("not a port number");
        assertThatThrownBy(() -> store.create(spec("bad", port(null, 80, 80, "sctp"))))
                .hasMessageContaining("only tcp and udp");
        // host port 0 lets the system choose: nothing to claim, so two machines may both ask for it
        store.create(spec("any1", port(null, 0, 80, "tcp")));
        assertThat(store.create(spec("any2", port(null, 0, 80, "tcp"))).spec().ports()).singleElement()
                .extracting(MachineSpec.PortMapping::hostPort).isEqualTo(0);
        assertThat(store.find("twice")).as("a refused spec is not recorded").isEmpty();
    }

    @Test
    void removingAMachineFreesItsPorts() {
        MachineRecord r = store.create(spec("first", tcp(8080), port("0.0.0.0", 5353, 53, "udp")));
        assertThatThrownBy(() -> store.create(spec("early", tcp(8080)))).hasMessageContaining("machine first");
        store.delete(r.id());
        MachineRecord second = store.create(spec("second", tcp(8080), port("0.0.0.0", 5353, 53, "udp")));
        assertThat(second.spec().ports()).hasSize(2);
        assertThatThrownBy(() -> store.create(spec("third", tcp(8080)))).as("now second holds it")
                .hasMessageContaining("machine second");
    }

    @Test
    void theFileItselfRefusesOverlappingClaims() throws Exception {
        MachineRecord r = store.create(spec("first", port("0.0.0.0", 8080, 80, "tcp")));
        store.create(spec("second", port("127.0.0.1", 9090, 80, "tcp")));
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + tmp.resolve("machines.db"));
                Statement s = c.createStatement()) {
            String insert = "INSERT INTO ports VALUES ('" + r.id() + "', '%s', %d, 'tcp', 80)";
            assertThatThrownBy(() -> s.executeUpdate(insert.formatted("127.0.0.1", 9090)))
                    .isInstanceOf(SQLException.class).hasMessageContaining("UNIQUE");
            assertThatThrownBy(() -> s.executeUpdate(insert.formatted("127.0.0.1", 8080)))
                    .isInstanceOf(SQLException.class).hasMessageContaining("wildcard");
            assertThatThrownBy(() -> s.executeUpdate(insert.formatted("::", 9090)))
                    .isInstanceOf(SQLException.class).hasMessageContaining("wildcard");
        }
    }
}
