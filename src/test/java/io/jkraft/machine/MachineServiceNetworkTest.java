package io.jkraft.machine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jkraft.common.Architecture;
import io.jkraft.common.Ipv4Cidr;
import io.jkraft.common.Platform;
import io.jkraft.common.UserException;
import io.jkraft.machine.FakeVmmDriver.Step;
import io.jkraft.machine.api.Acceleration;
import io.jkraft.machine.api.HostNetwork;
import io.jkraft.machine.api.MachineSpec;
import io.jkraft.machine.api.NetworkInterface;
import io.jkraft.machine.api.RunFlags;
import io.jkraft.machine.store.MachineRecord;
import io.jkraft.machine.store.MachineStatus;
import io.jkraft.machine.store.MachineStore;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MachineService's steps for machines on networks, over the fake VMM driver and a stand-in for the host's taps
 * that records what it is asked ({@link RecordingHost}; the real taps are NetworkCliTest's): the lease with the
 * record, the taps before the VMM, their removal when the machine ends or is removed, and the sweep.
 */
class MachineServiceNetworkTest {
    @TempDir
    Path state;

    private MachineStore store;
    private FakeVmmDriver driver;
    private RecordingHost host;
    private MachineService machines;
    /** What happened, in order: the host's calls and the driver's. */
    private final List<String> events = new CopyOnWriteArrayList<>();
    /** Runs at each driver call, after it is logged. */
    private volatile java.util.function.Consumer<String> atCall = call -> { };

    /** Records the host calls; refuses {@code check} when told to, as a process without CAP_NET_ADMIN is refused. */
    private final class RecordingHost implements HostNetwork {
        volatile boolean privileged = true;

        @Override
        public void check(List<NetworkInterface> nics) {
            events.add("check " + nics.size());
            if (!privileged && !nics.isEmpty()) {
                throw new UserException("attaching a machine to a network needs CAP_NET_ADMIN", null);
            }
        }

        @Override
        public void attach(String machineId, List<NetworkInterface> nics) {
            nics.forEach(n -> events.add("attach " + n.tap() + " on " + n.bridge()));
        }

        @Override
        public void detach(List<NetworkInterface> nics) {
            nics.forEach(n -> events.add("detach " + n.tap()));
        }

        @Override
        public List<String> sweep(Set<String> keepMachineIds) {
            events.add("sweep keeping " + keepMachineIds.size());
            return List.of();
        }
    }

    @BeforeEach
    void open() {
        store = MachineStore.open(state);
        store.networks().create("jk0", "jk0", Ipv4Cidr.parse("172.30.9.1/24", -1, "x"));
        driver = new FakeVmmDriver(Platform.FC, call -> {
            events.add(call);
            atCall.accept(call);
        });
        host = new RecordingHost();
        machines = new MachineService(store, VmmDrivers.of(driver), host);
    }

    @AfterEach
    void removeAll() {
        machines.removeAll();
    }

    private static MachineSpec spec(String name, String... networks) {
        return new MachineSpec(name, Path.of("/images/app_fc-x86_64"), Platform.FC, Architecture.X86_64, 64L << 20, 1,
                List.of(), List.of(), Map.of(), List.of(), List.of(), null, Acceleration.AUTO, null,
                java.util.Arrays.stream(networks).map(RunFlags::network).toList());
    }

    private MachineService.Started launch(MachineSpec spec) {
        return new MachineLauncher(VmmDrivers.of(driver), MachineStore.runtimeRoot(state), () -> machines)
                .launch(spec, false).started();
    }

    @Test
    void aMachineOnANetworkIsRecordedWithItsAddressThenGetsItsTapsThenItsVmm() {
        MachineService.Started started = launch(spec("web", "jk0", "jk0:172.30.9.40"));

        List<NetworkInterface> nics = started.record().spec().networks();
        assertThat(nics).extracting(n -> n.ip().toString()).containsExactly("172.30.9.2/24", "172.30.9.40/24");
        assertThat(nics).allMatch(NetworkInterface::resolved);
        // No early start: the record (with the lease) comes first, so the plan already names the taps.
        assertThat(events).containsSubsequence("check 2", "plan", "attach " + nics.get(0).tap() + " on jk0",
                "attach " + nics.get(1).tap() + " on jk0", "spawn", "finish");
        assertThat(store.networks().get("jk0").leases()).extracting(l -> l.machineName()).containsOnly("web");
    }

    @Test
    void theTapsGoWhenTheMachineEndsOrIsRemovedAndEveryListingSweeps() {
        MachineService.Started started = launch(spec("web", "jk0"));
        String tap = started.record().spec().networks().getFirst().tap();
        machines.detach(started);

        events.clear();
        machines.list();
        assertThat(events).containsExactly("sweep keeping 1");

        machines.stop("web");
        assertThat(events).contains("detach " + tap);
        events.clear();
        machines.list();
        assertThat(events).containsExactly("sweep keeping 0");

        machines.remove("web", false);
        assertThat(events).contains("detach " + tap);
        assertThat(store.networks().get("jk0").leases()).isEmpty();
    }

    @Test
    void withoutThePrivilegeNothingIsRecordedNorStarted() {
        host.privileged = false;
        assertThatThrownBy(() -> launch(spec("web", "jk0"))).isInstanceOf(UserException.class)
                .hasMessageContaining("CAP_NET_ADMIN");
        assertThat(store.list()).isEmpty();
        assertThat(store.networks().get("jk0").leases()).isEmpty();
        assertThat(driver.calls).isEmpty();
    }

    @Test
    void aStartThatFailsRemovesItsTapsAndFreesTheAddressWithTheErroredRecord() {
        driver.failAt(Step.SPAWN);
        assertThatThrownBy(() -> launch(spec("web", "jk0"))).isInstanceOf(UserException.class);
        MachineRecord web = store.get("web");
        assertThat(web.status()).isEqualTo(MachineStatus.ERRORED);
        assertThat(events).containsSubsequence("attach " + web.spec().networks().getFirst().tap() + " on jk0", "spawn",
                "detach " + web.spec().networks().getFirst().tap());
        assertThat(store.networks().get("jk0").leases()).isEmpty();
    }

    private List<String> leases() {
        return store.networks().get("jk0").leases().stream().map(l -> l.machineName() + "=" + l.address().ip()).toList();
    }

    private static String ip(MachineRecord r) {
        return r.spec().networks().getFirst().ip().ip();
    }

    @Test
    void stopFreesTheAddressAndStartTakesItAgainIntoThePlanAndTheTaps() {
        machines.detach(launch(spec("web", "jk0")));
        assertThat(leases()).containsExactly("web=172.30.9.2");

        MachineRecord stopped = machines.stop("web");
        assertThat(stopped.status()).isEqualTo(MachineStatus.EXITED);
        assertThat(leases()).isEmpty();

        events.clear();
        MachineService.Started again = machines.start("web");
        machines.detach(again);
        assertThat(ip(again.record())).isEqualTo("172.30.9.2");
        assertThat(((FakeVmmDriver.Plan) again.plan()).spec().networks().getFirst().netdevIp())
                .isEqualTo("netdev.ip=172.30.9.2/24:172.30.9.1::::");
        assertThat(events).containsSubsequence("plan", "attach " + again.record().spec().networks().getFirst().tap()
                + " on jk0", "spawn");
        assertThat(leases()).containsExactly("web=172.30.9.2");
    }

    @Test
    void aVmmKilledOutrightFreesItsAddressAtTheNextListingForAnotherMachineToAskFor() throws Exception {
        MachineService.Started started = launch(spec("web", "jk0"));
        machines.detach(started);
        ProcessHandle vmm = ProcessHandle.of(started.process().pid()).orElseThrow();
        vmm.destroyForcibly();
        vmm.onExit().get();

        MachineRecord web = machines.list().getFirst();
        assertThat(web.status()).isEqualTo(MachineStatus.ERRORED);
        assertThat(leases()).isEmpty();

        MachineService.Started db = launch(spec("db", "jk0:172.30.9.2"));
        machines.detach(db);
        assertThat(leases()).containsExactly("db=172.30.9.2");
        // The killed machine, allocated its address, starts again on the next free one.
        MachineService.Started again = machines.start("web");
        machines.detach(again);
        assertThat(ip(again.record())).isEqualTo("172.30.9.3");
        assertThat(ip(machines.inspect("web"))).isEqualTo("172.30.9.3");
    }

    @Test
    void aStartWhoseAskedForAddressIsTakenIsRefusedBeforeAnythingStarts() {
        machines.detach(launch(spec("web", "jk0:172.30.9.7")));
        machines.stop("web");
        machines.detach(launch(spec("db", "jk0:172.30.9.7")));

        events.clear();
        assertThatThrownBy(() -> machines.start("web")).isInstanceOf(UserException.class)
                .hasMessageContaining("is now held by machine db");
        assertThat(events).doesNotContain("plan", "spawn");
        assertThat(store.get("web").status()).isEqualTo(MachineStatus.EXITED);
        assertThat(leases()).containsExactly("db=172.30.9.7");
    }

    @Test
    void aDriversRetryStartsAgainWithTheSameAddress() throws Exception {
        driver.retryOnExit(9);
        MachineService.Started started = launch(spec("web", "jk0"));
        Path dir = started.record().stateDir();
        FakeVmmDriver.endGuest(dir, 9);
        List<List<String>> heldAtRetry = new CopyOnWriteArrayList<>();
        atCall = call -> {
            if (call.equals("finish")) { // the retry's VMM: it ends too, with 0
                heldAtRetry.add(leases());
                try {
                    FakeVmmDriver.endGuest(dir, 0);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        };
        machines.follow(started, java.io.OutputStream.nullOutputStream(), notice -> { });
        assertThat(events.stream().filter(e -> e.startsWith("attach"))).hasSize(2).allMatch(e -> e.endsWith("on jk0"));
        assertThat(heldAtRetry).containsExactly(List.of("web=172.30.9.2"));
        assertThat(ip(store.get("web"))).isEqualTo("172.30.9.2");
        assertThat(store.get("web").status()).isEqualTo(MachineStatus.EXITED);
        assertThat(leases()).isEmpty();
    }

    @Test
    void aStoreWithoutNetworksStartsNoSweep() {
        store.networks().delete("jk0");
        machines.list();
        assertThat(events).doesNotContain("sweep keeping 0");
    }
}
