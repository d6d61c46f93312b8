package io.jkraft.machine.store;

import static io.jkraft.machine.store.Specs.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jkraft.common.Ipv4Cidr;
import io.jkraft.common.UserException;
import io.jkraft.machine.api.MachineSpec;
import io.jkraft.machine.api.NetworkInterface;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NetworkStoreTest {
    @TempDir
    Path tmp;

    MachineStore store;
    NetworkStore networks;

    @BeforeEach
    void setUp() {
        store = MachineStore.open(tmp.resolve("state"));
        networks = store.networks();
    }

    private static Ipv4Cidr cidr(String text) {
        return Ipv4Cidr.parse(text, 32, "x");
    }

    private static MachineSpec on(String name, String... networksAndIps) {
        List<NetworkInterface> nics = new ArrayList<>();
        for (String n : networksAndIps) {
            nics.add(io.jkraft.machine.api.RunFlags.network(n));
        }
        return spec(name).withNetworks(nics);
    }

    @Test
    void aMachineOnANetworkGetsTheNextFreeAddressAndItsDevicesNamedWhenRecorded() {
        networks.create("jk0", "jk0", cidr("172.30.9.1/24"));
        MachineRecord a = store.create(on("a", "jk0"));
        MachineRecord b = store.create(on("b", "jk0:172.30.9.7"));
        MachineRecord c = store.create(on("c", "jk0"));

        NetworkInterface nic = a.spec().networks().getFirst();
        assertThat(nic.resolved()).isTrue();
        assertThat(nic.ip().toString()).isEqualTo("172.30.9.2/24");
        assertThat(nic.gateway()).isEqualTo("172.30.9.1");
        assertThat(nic.bridge()).isEqualTo("jk0");
        assertThat(nic.tap()).hasSizeLessThanOrEqualTo(15).startsWith("jk" + a.id().substring(0, 8));
        assertThat(nic.mac()).matches("02(:[0-9a-f]{2}){5}");
        assertThat(nic.netdevIp()).isEqualTo("netdev.ip=172.30.9.2/24:172.30.9.1::::");
        assertThat(b.spec().networks().getFirst().ip().ip()).isEqualTo("172.30.9.7");
        assertThat(c.spec().networks().getFirst().ip().ip()).isEqualTo("172.30.9.3");
        // The resolved spec is what is kept.
        assertThat(MachineStore.open(tmp.resolve("state")).get("a").spec()).isEqualTo(a.spec());
        assertThat(networks.get("jk0").leases()).extracting(l -> l.machineName() + "=" + l.address().ip())
                .containsExactly("a=172.30.9.2", "c=172.30.9.3", "b=172.30.9.7");
    }

    @Test
    void anAddressTakenTheGatewayOrOneOutsideTheRangeIsRefusedAndNothingIsRecorded() {
        networks.create("jk0", "jk0", cidr("172.30.9.1/24"));
        store.create(on("a", "jk0:172.30.9.7"));
        assertThatThrownBy(() -> store.create(on("b", "jk0:172.30.9.7"))).isInstanceOf(UserException.class)
                .hasMessageContaining("taken by machine a");
        assertThatThrownBy(() -> store.create(on("b", "jk0:172.30.9.1"))).hasMessageContaining("the bridge's own address");
        assertThatThrownBy(() -> store.create(on("b", "jk0:172.30.10.1"))).hasMessageContaining("not a host address");
        assertThatThrownBy(() -> store.create(on("b", "jk0:172.30.9.255"))).hasMessageContaining("not a host address");
        assertThatThrownBy(() -> store.create(on("b", "nonet"))).hasMessageContaining("no network is named 'nonet'");
        assertThat(store.list()).extracting(MachineRecord::name).containsExactly("a"); // not find("b"): ids may start with b
        assertThat(networks.get("jk0").leases()).hasSize(1);
    }

    @Test
    void aFullNetworkSaysSoAndRemovingAMachineFreesItsAddress() {
        networks.create("tiny", "tiny", cidr("10.9.0.1/30"));
        MachineRecord only = store.create(on("only", "tiny"));
        assertThat(only.spec().networks().getFirst().ip().ip()).isEqualTo("10.9.0.2");
        assertThatThrownBy(() -> store.create(on("more", "tiny"))).hasMessageContaining("has no free address");
        assertThatThrownBy(() -> networks.delete("tiny")).hasMessageContaining("used by machine(s) only");

        store.delete(only.id());
        assertThat(networks.get("tiny").leases()).isEmpty();
        assertThat(store.create(on("more", "tiny")).spec().networks().getFirst().ip().ip()).isEqualTo("10.9.0.2");
    }

    private String ip(MachineRecord r) {
        return r.spec().networks().getFirst().ip().ip();
    }

    @Test
    void everyRecordOfAnEndFreesTheAddressesAndAStartLeasesTheOldOnesAgain() {
        networks.create("jk0", "jk0", cidr("172.30.9.1/24"));
        MachineRecord a = store.create(on("a", "jk0", "jk0:172.30.9.40"));
        store.prepareStart(a.id());
        store.markRunning(a.id(), 4242);
        assertThat(store.markExited(a.id(), 0).status()).isEqualTo(MachineStatus.EXITED);
        assertThat(networks.get("jk0").leases()).isEmpty();
        // The spec keeps the addresses it had, for the next start to prefer.
        assertThat(store.get("a").spec().networks()).extracting(n -> n.ip().ip()).containsExactly("172.30.9.2", "172.30.9.40");

        MachineRecord again = store.prepareStart(a.id());
        assertThat(again.spec().networks()).extracting(n -> n.ip().ip()).containsExactly("172.30.9.2", "172.30.9.40");
        assertThat(again.spec().networks()).extracting(NetworkInterface::asked).containsExactly(false, true);
        assertThat(networks.get("jk0").leases()).extracting(l -> l.machineName() + "=" + l.address().ip())
                .containsExactly("a=172.30.9.2", "a=172.30.9.40");

        store.markRunning(a.id(), 4243);
        store.markErrored(a.id(), "the VMM vanished");
        assertThat(networks.get("jk0").leases()).isEmpty();

        // The reconciler's correction (a kill -9 seen later) frees them too.
        store.prepareStart(a.id());
        MachineRecord running = store.markRunning(a.id(), 4244);
        assertThat(networks.get("jk0").leases()).hasSize(2);
        assertThat(store.settle(running, MachineStatus.ERRORED, null, "gone")).isPresent();
        assertThat(networks.get("jk0").leases()).isEmpty();
        // A stopped machine still keeps its network from being removed.
        assertThatThrownBy(() -> networks.delete("jk0")).hasMessageContaining("used by machine(s) a");
    }

    @Test
    void anAllocatedAddressTakenMeanwhileGivesWayToAFreeOneAndTheSpecSaysSo() {
        networks.create("jk0", "jk0", cidr("172.30.9.1/24"));
        MachineRecord a = store.create(on("a", "jk0"));
        store.markErrored(a.id(), "stopped");
        MachineRecord b = store.create(on("b", "jk0:172.30.9.2"));
        assertThat(ip(b)).isEqualTo("172.30.9.2");

        MachineRecord started = store.prepareStart(a.id());
        assertThat(ip(started)).isEqualTo("172.30.9.3");
        assertThat(started.spec().networks().getFirst().netdevIp()).isEqualTo("netdev.ip=172.30.9.3/24:172.30.9.1::::");
        assertThat(ip(store.get("a"))).isEqualTo("172.30.9.3");
        assertThat(networks.get("jk0").leases()).extracting(l -> l.machineName() + "=" + l.address().ip())
                .containsExactly("b=172.30.9.2", "a=172.30.9.3");
    }

    @Test
    void anAskedForAddressTakenMeanwhileRefusesTheStartNamingTheHolderAndChangesNothing() {
        networks.create("jk0", "jk0", cidr("172.30.9.1/24"));
        MachineRecord a = store.create(on("a", "jk0:172.30.9.7"));
        store.release(a.id());
        store.markExited(a.id(), 0);
        store.create(on("b", "jk0:172.30.9.7"));

        assertThatThrownBy(() -> store.prepareStart(a.id())).isInstanceOf(UserException.class)
                .hasMessage("cannot start machine a: its address 172.30.9.7 on network jk0 (asked for with --network "
                        + "jk0:172.30.9.7) is now held by machine b")
                .satisfies(e -> assertThat(((UserException) e).hint()).contains("jkraft stop b"));
        MachineRecord after = store.get("a");
        assertThat(after.status()).isEqualTo(MachineStatus.EXITED);
        assertThat(after.owner()).isNull(); // the claim went with the refusal
        assertThat(networks.get("jk0").leases()).extracting(NetworkRecord.Lease::machineName).containsExactly("b");
    }

    @Test
    void leasesAStoreKeptForMachinesThatEndedAreFreedAtTheNextLease() throws Exception {
        networks.create("jk0", "jk0", cidr("172.30.9.1/24"));
        MachineRecord old = store.create(on("old", "jk0:172.30.9.7"));
        store.markExited(old.id(), 0);
        // As a jkraft that kept leases until rm left it.
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + tmp.resolve("state/machines.db"));
                Statement s = c.createStatement()) {
            s.execute("INSERT INTO leases (network, address, machine_id) VALUES ('jk0', "
                    + Integer.toUnsignedLong(cidr("172.30.9.7").address()) + ", '" + old.id() + "')");
        }
        assertThat(networks.get("jk0").leases()).isEmpty();
        assertThat(ip(store.create(on("new", "jk0:172.30.9.7")))).isEqualTo("172.30.9.7");
    }

    @Test
    void aDriversRetryKeepsTheAddresses() {
        networks.create("jk0", "jk0", cidr("172.30.9.1/24"));
        MachineRecord a = store.create(on("a", "jk0"));
        store.prepareStart(a.id());
        store.markRunning(a.id(), 4242);
        assertThat(store.markRetrying(a.id()).status()).isEqualTo(MachineStatus.CREATED);
        assertThat(networks.get("jk0").leases()).hasSize(1);
        assertThat(ip(store.prepareStart(a.id()))).isEqualTo("172.30.9.2");
    }

    @Test
    void namesBridgesAndOverlappingRangesAreRefused() {
        networks.create("jk0", "jk0", cidr("172.30.9.1/24"));
        assertThatThrownBy(() -> networks.create("jk0", "other", cidr("10.0.0.1/24"))).hasMessageContaining("already exists");
        assertThatThrownBy(() -> networks.create("jk1", "jk0", cidr("10.0.0.1/24"))).hasMessageContaining("already uses the bridge");
        assertThatThrownBy(() -> networks.create("jk1", "jk1", cidr("172.30.0.1/16"))).hasMessageContaining("overlaps network jk0");
        networks.delete("jk0");
        networks.delete("jk0");
        assertThat(networks.list()).isEmpty();
    }

    @Test
    void concurrentCreatesNeverShareAnAddress() throws Exception {
        networks.create("jk0", "jk0", cidr("172.30.9.1/24"));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<MachineRecord>> created = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            // A store per task: a connection each, as separate processes have.
            int n = i;
            created.add(pool.submit(() -> MachineStore.open(tmp.resolve("state")).create(on("m" + n, "jk0"))));
        }
        Set<String> ips = new HashSet<>();
        for (Future<MachineRecord> f : created) {
            ips.add(f.get().spec().networks().getFirst().ip().ip());
        }
        pool.shutdown();
        assertThat(ips).hasSize(40);
    }

    @Test
    void aStoreOfSchemaOneGainsTheNetworkTablesAndKeepsItsMachines() throws Exception {
        Path old = tmp.resolve("old");
        java.nio.file.Files.createDirectories(old);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + old.resolve("machines.db"));
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE machines (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, spec TEXT NOT NULL, "
                    + "status TEXT NOT NULL CHECK (status IN ('created', 'running', 'paused', 'exited', 'errored')), "
                    + "pid INTEGER, exit_code INTEGER, error TEXT, created_at INTEGER NOT NULL, started_at INTEGER, "
                    + "finished_at INTEGER, state_dir TEXT NOT NULL, owner_pid INTEGER, owner_started INTEGER) STRICT");
            s.execute("CREATE TABLE ports (machine_id TEXT NOT NULL REFERENCES machines (id) ON DELETE CASCADE, "
                    + "host_ip TEXT NOT NULL, host_port INTEGER NOT NULL, protocol TEXT NOT NULL, guest_port INTEGER NOT NULL, "
                    + "UNIQUE (host_ip, host_port, protocol)) STRICT");
            s.execute("INSERT INTO machines (id, name, spec, status, created_at, state_dir) VALUES "
                    + "('0b7c9a2e-0000-4000-8000-000000000001', 'kept', '{\"name\":\"kept\",\"kernel\":\"/k\","
                    + "\"platform\":\"qemu\",\"architecture\":\"x86_64\",\"memoryBytes\":8388608}', 'exited', 1, '/x')");
            s.execute("PRAGMA user_version = 1");
        }
        MachineStore upgraded = MachineStore.open(old);
        assertThat(upgraded.get("kept").spec().networks()).isEmpty();
        upgraded.networks().create("jk0", "jk0", cidr("172.30.9.1/24"));
        assertThat(upgraded.create(on("new", "jk0")).spec().networks().getFirst().ip().ip()).isEqualTo("172.30.9.2");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + old.resolve("machines.db"));
                Statement s = c.createStatement(); var r = s.executeQuery("PRAGMA user_version")) {
            assertThat(r.getInt(1)).isEqualTo(2);
        }
    }
}
