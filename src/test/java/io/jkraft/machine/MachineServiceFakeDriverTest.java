package io.jkraft.machine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jkraft.common.Architecture;
import io.jkraft.common.GdbEndpoint;
import io.jkraft.common.Platform;
import io.jkraft.common.UserException;
import io.jkraft.machine.FakeVmmDriver.Step;
import io.jkraft.machine.api.Acceleration;
import io.jkraft.machine.api.MachineExit;
import io.jkraft.machine.api.MachineSpec;
import io.jkraft.machine.api.MachineSpec.PortMapping;
import io.jkraft.machine.store.MachineRecord;
import io.jkraft.machine.store.MachineStatus;
import io.jkraft.machine.store.MachineStore;
import io.jkraft.machine.store.Reconciler;
import io.jkraft.machine.store.StartIntent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MachineService over a fake VMM driver (a shell process that follows the VMM marker convention): the order of
 * store and VMM steps, failures at each step, reconciliation. The real QEMU driver is tested by QemuRunTest and
 * the machine CLI tests; these take milliseconds.
 */
class MachineServiceFakeDriverTest {
    @TempDir
    Path state;

    private MachineStore store;
    private FakeVmmDriver driver;
    private MachineService machines;
    /** What the store held at each driver call, as "call: name=status" lines. */
    private final List<String> seen = new CopyOnWriteArrayList<>();
    private Consumer<String> atCall = call -> { };

    @BeforeEach
    void open() {
        store = MachineStore.open(state);
        driver = new FakeVmmDriver(Platform.FC, call -> {
            seen.add(call + ": " + String.join(",", store.list().stream().map(r -> r.name() + "=" + r.status().word())
                    .toList()));
            atCall.accept(call);
        });
        machines = new MachineService(store, VmmDrivers.of(driver));
    }

    @AfterEach
    void removeAll() {
        machines.removeAll();
        assertThat(new Reconciler(store).staleProcesses()).as("VMMs left running").isEmpty();
    }

    private static MachineSpec spec(String name, PortMapping... ports) {
        return new MachineSpec(name, Path.of("/images/app_fc-x86_64"), Platform.FC, Architecture.X86_64, 64L << 20, 1, List.of(),
                List.of(), Map.of(), List.of(ports), List.of(), null, Acceleration.AUTO, null);
    }

    private MachineService.Started launch(MachineSpec spec) {
        MachineLauncher launcher = new MachineLauncher(VmmDrivers.of(driver), MachineStore.runtimeRoot(state),
                () -> machines);
        return launcher.launch(spec, false).started();
    }

    @Test
    void aMachineWithPortsIsRecordedBeforeItsVmmStartsAndRunsUnderTheVmmsPid() {
        MachineService.Started started = launch(spec("web", new PortMapping("127.0.0.1", HostPorts.freeLoopbackPort(), 80,
                "tcp")));

        assertThat(seen).first().asString().isEqualTo("plan: web=created");
        assertThat(seen).contains("spawn: web=created", "finish: web=created");
        assertThat(started.record().status()).isEqualTo(MachineStatus.RUNNING);
        assertThat(started.record().pid()).isEqualTo(started.process().pid()).isPositive();
        assertThat(started.plan().notice()).isEqualTo("fake notice");
    }

    @Test
    void aMachineWithoutPortsStartsItsVmmFirstUnderAStartIntentThatTheRecordReplaces() throws IOException {
        List<Boolean> intentAtSpawn = new ArrayList<>();
        atCall = call -> {
            if (call.equals("spawn")) {
                try (Stream<Path> dirs = Files.list(MachineStore.runtimeRoot(state))) {
                    intentAtSpawn.add(dirs.anyMatch(d -> Files.exists(d.resolve(StartIntent.FILE))));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        };
        MachineService.Started started = launch(spec("early"));

        assertThat(seen).contains("spawn: ");
        assertThat(intentAtSpawn).containsExactly(true);
        assertThat(seen).contains("finish: early=created");
        assertThat(started.record().stateDir().resolve(StartIntent.FILE)).doesNotExist();
        assertThat(store.get("early").status()).isEqualTo(MachineStatus.RUNNING);
    }

    @Test
    void anEarlyStartWhoseRecordIsRefusedIsAbandonedAndLeavesNoFolderNorVmm() throws IOException {
        machines.run(spec("taken"), true);

        assertThatThrownBy(() -> launch(spec("taken"))).isInstanceOf(UserException.class).hasMessageContaining("taken");

        assertThat(driver.calls).contains("abandon");
        try (Stream<Path> dirs = Files.list(MachineStore.runtimeRoot(state))) {
            assertThat(dirs.toList()).containsExactly(store.get("taken").stateDir());
        }
        assertThat(new Reconciler(store).staleProcesses()).isEmpty();
    }

    @Test
    void aPlanTheDriverRefusesIsTheUsersErrorAsTheDriverSaidItAndTheMachineIsErrored() {
        driver.failAt(Step.PLAN);

        assertThatThrownBy(() -> machines.run(spec("refused"), false)).isInstanceOf(UserException.class)
                .hasMessage("the fake VMM cannot run this");

        MachineRecord r = store.get("refused");
        assertThat(r.status()).isEqualTo(MachineStatus.ERRORED);
        assertThat(r.error()).isEqualTo("the fake VMM cannot run this");
        assertThat(r.owner()).as("released").isNull();
    }

    @Test
    void aVmmThatCannotStartLeavesTheMachineErroredWithTheReason() {
        driver.failAt(Step.SPAWN);

        assertThatThrownBy(() -> machines.run(spec("nospawn"), false)).isInstanceOf(UserException.class)
                .hasMessage("cannot start nospawn: the fake VMM fails at spawn");

        MachineRecord r = store.get("nospawn");
        assertThat(r.status()).isEqualTo(MachineStatus.ERRORED);
        assertThat(r.owner()).isNull();
        assertThat(driver.calls).doesNotContain("finish");
    }

    @Test
    void aVmmThatNeverBecomesReadyIsErroredAndRemovingItEndsItsProcess() {
        driver.failAt(Step.FINISH);

        assertThatThrownBy(() -> machines.run(spec("unready"), false)).isInstanceOf(UserException.class)
                .hasMessage("cannot start unready: the fake VMM fails at finish");
        assertThat(store.get("unready").status()).isEqualTo(MachineStatus.ERRORED);
        // Its VMM still runs; a fork of it that has not yet exec'd (the stand-in is a shell) carries the same marker.
        String id = store.get("unready").id();
        assertThat(new Reconciler(store).staleProcesses()).as("its VMM still runs").isNotEmpty()
                .allSatisfy(p -> assertThat(p.machineId()).isEqualTo(id));

        machines.remove("unready", false);

        assertThat(new Reconciler(store).staleProcesses()).isEmpty();
        assertThat(store.find("unready")).isEmpty();
    }

    @Test
    void aPlatformWithoutADriverIsRefusedBeforeAnythingIsRecorded() {
        MachineSpec xen = new MachineSpec("x", Path.of("/k"), Platform.XEN, Architecture.X86_64, 64L << 20, 1, List.of(), List.of(),
                Map.of(), List.of(), List.of(), null, Acceleration.AUTO, null);

        assertThatThrownBy(() -> machines.run(xen, false)).isInstanceOf(UserException.class)
                .hasMessage("platform xen cannot run here yet: only fc is supported");
        assertThatThrownBy(() -> launch(xen)).hasMessage("platform xen cannot run here yet: only fc is supported");
        assertThat(store.list()).isEmpty();
        assertThat(driver.calls).isEmpty();
    }

    @Test
    void followRecordsHowTheGuestEndedReleasesTheMachineAndShowsTheDriversExitStatus() throws IOException {
        MachineService.Started started = machines.run(spec("ends"), false);
        FakeVmmDriver.endGuest(started.record().stateDir(), 6);
        ByteArrayOutputStream console = new ByteArrayOutputStream();

        MachineExit exit = machines.follow(started, console, notice -> { });

        assertThat(exit.vmmExitCode()).isEqualTo(6);
        assertThat(console.toString()).isEqualTo("booted\n");
        MachineRecord r = store.get("ends");
        assertThat(r.status()).isEqualTo(MachineStatus.EXITED);
        assertThat(r.exitCode()).isEqualTo(6);
        assertThat(r.owner()).isNull();
        assertThat(machines.guestExitStatus(r)).as("the driver's mapping").isEqualTo(3);
    }

    @Test
    void aFirstStartTheDriverRetriesIsStartedAgainOnceAndItsNoticeIsHeard() throws IOException {
        driver.retryOnExit(9);
        MachineService.Started started = machines.run(spec("again"), false);
        Path dir = started.record().stateDir();
        FakeVmmDriver.endGuest(dir, 9);
        int[] finishes = {0};
        atCall = call -> {
            if (call.equals("finish") && ++finishes[0] == 1) {
                try {
                    // The second start ends with 9 too: it must not be retried again.
                    FakeVmmDriver.endGuest(dir, 9);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        };
        List<String> notices = new ArrayList<>();

        MachineExit exit = machines.follow(started, new ByteArrayOutputStream(), notices::add);

        assertThat(notices).containsExactly("started again");
        assertThat(driver.calls.stream().filter(c -> c.equals("spawn"))).hasSize(2);
        assertThat(driver.calls.stream().filter(c -> c.startsWith("retry?"))).containsExactly("retry?9");
        assertThat(exit.vmmExitCode()).isEqualTo(9);
        assertThat(store.get("again").status()).isEqualTo(MachineStatus.EXITED);
    }

    @Test
    void aVmmKilledOutrightIsFoundByReconciliationAndRecordedErrored() throws Exception {
        MachineService.Started started = machines.run(spec("killed"), false);
        machines.detach(started);
        ProcessHandle vmm = ProcessHandle.of(started.process().pid()).orElseThrow();
        vmm.destroyForcibly();
        vmm.onExit().get();

        MachineRecord r = machines.inspect("killed");

        assertThat(r.status()).isEqualTo(MachineStatus.ERRORED);
        assertThat(r.error()).contains("vanished");
    }

    @Test
    void stopEndsTheVmmAndRecordsHowItEnded() {
        MachineService.Started started = machines.run(spec("stopped"), false);
        machines.detach(started);

        MachineRecord r = machines.stop("stopped");

        assertThat(driver.calls).contains("stop");
        assertThat(r.status()).isEqualTo(MachineStatus.EXITED);
        assertThat(r.exitCode()).isEqualTo(143);
        // Its exit status is written just before it exits.
        ProcessHandle.of(started.process().pid()).ifPresent(vmm -> assertThat(vmm.onExit()).succeedsWithin(
                java.time.Duration.ofSeconds(5)));
    }

    @Test
    void pauseAndUnpauseGoThroughTheDriverAndAFailureLeavesTheRecordAsItWas() {
        machines.detach(machines.run(spec("p"), false));

        assertThat(machines.pause("p").status()).isEqualTo(MachineStatus.PAUSED);
        assertThat(machines.unpause("p").status()).isEqualTo(MachineStatus.RUNNING);
        assertThat(driver.calls).containsSubsequence("pause", "resume");

        driver.failAt(Step.PAUSE);
        assertThatThrownBy(() -> machines.pause("p")).isInstanceOf(UserException.class)
                .hasMessage("cannot reach p's fc VMM: the fake VMM fails at pause");
        assertThat(store.get("p").status()).isEqualTo(MachineStatus.RUNNING);
    }

    @Test
    void aDetachedMachineTheVmmStoppedForGoodIsErroredWithTheDriversReasonAndEnded() throws IOException {
        MachineService.Started started = machines.run(spec("stalls"), false);
        machines.detach(started);
        Files.writeString(started.record().stateDir().resolve("stalled"), "");

        List<MachineRecord> listed = machines.list();

        assertThat(listed).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo(MachineStatus.ERRORED);
            assertThat(r.error()).isEqualTo("the fake VMM stopped the guest");
        });
        assertThat(driver.calls).contains("stop");
    }

    @Test
    void aGdbStubOpenedThroughTheDriverIsRecordedAndAFailureIsNot() {
        machines.detach(machines.run(spec("g"), false));
        int port = HostPorts.freeLoopbackPort();

        MachineRecord r = machines.openGdbStub("g", port);

        assertThat(r.spec().gdb()).isNotNull();
        assertThat(r.spec().gdb()).isEqualTo(new GdbEndpoint.Tcp(port));
        assertThat(driver.calls).anyMatch(c -> c.startsWith("gdb ") && c.contains(Integer.toString(port)));

        machines.detach(machines.run(spec("h"), false));
        driver.failAt(Step.GDB);
        assertThatThrownBy(() -> machines.openGdbStub("h", 0)).isInstanceOf(UserException.class)
                .hasMessageStartingWith("cannot reach h's fc VMM: the fake VMM fails at gdb");
        assertThat(store.get("h").spec().gdb()).isNull();
    }

    @Test
    void removingARunningMachineNeedsForceThenLeavesNoRecordFolderOrVmm() {
        MachineService.Started started = machines.run(spec("busy"), false);
        machines.detach(started);

        assertThatThrownBy(() -> machines.remove("busy", false)).isInstanceOf(UserException.class)
                .hasMessage("machine busy is running");
        machines.remove("busy", true);

        assertThat(store.find("busy")).isEmpty();
        assertThat(started.record().stateDir()).doesNotExist();
        assertThat(new Reconciler(store).staleProcesses()).isEmpty();
    }
}
