package io.jkraft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jkraft.common.ExitCode;
import io.jkraft.machine.qemu.QmpClient;
import io.jkraft.machine.store.MachineStore;
import io.jkraft.machine.store.Reconciler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The machine lifecycle through the CLI, in process, with real QEMU booting {@link LifeKernel}: the
 * console, arguments and exit status of foreground runs; detached machines through ps, logs, stop,
 * start and rm; published ports, volumes and an initrd as QEMU and the guest see them.
 */
@Tag("qemu")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MachineLifecycleTest {
    private Path kernel;
    private Path tmp;
    private MachineCli cli;

    @BeforeAll
    void buildKernel(@TempDir Path shared) throws Exception {
        kernel = LifeKernel.build(shared);
    }

    @BeforeEach
    void isolatedState(@TempDir Path perTest) {
        tmp = perTest;
        cli = new MachineCli(perTest);
    }

    @AfterEach
    void noMachineOutlivesTheTest() throws Exception {
        cli.cleanUp();
    }

    /** {@code jkraft run} with emulation and little memory, as every test here boots. */
    private MachineCli.Result run(String... args) {
        String[] all = new String[args.length + 4];
        all[0] = "run";
        all[1] = "-W";
        all[2] = "-M";
        all[3] = "8Mi";
        System.arraycopy(args, 0, all, 4, args.length);
        return cli.run(all);
    }

    @Test
    void foregroundRunStreamsTheConsolePassesArgumentsAndEnvAndExitsZero() throws Exception {
        MachineCli.Result r = run("-n", "fg", "-e", "GREETING=hi there", "-a", "loglevel=3", kernel.toString(),
                "--", "arg1", "arg two");

        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.console().lines()).containsSubsequence("life app: 2 arguments", "argv[1]: arg1",
                "argv[2]: arg two", "main returned 0");
        // Library parameters and the environment reach the kernel's command line, not the app's argv.
        assertThat(r.console()).contains(" loglevel=3 env.vars=[ \"GREETING=hi there\" ] -- arg1 \"arg two\"\n");
        assertThat(r.err()).doesNotContain("error");
        JsonNode fg = cli.machine("fg");
        assertThat(fg.get("status").asText()).isEqualTo("exited");
        assertThat(fg.get("exitCode").asInt()).isZero();
        assertThat(fg.get("args").toString()).isEqualTo("[\"arg1\",\"arg two\"]");
        assertThat(fg.get("env").get("GREETING").asText()).isEqualTo("hi there");
        assertThat(cli.processes()).isEmpty();
    }

    @Test
    void crashingGuestExitsFourAndPsShowsItsExitStatus() throws Exception {
        MachineCli.Result r = run("-n", "crasher", kernel.toString(), "--", LifeKernel.CRASH);

        assertThat(r.status()).isEqualTo(ExitCode.GUEST_CRASHED.code());
        assertThat(r.console()).contains("crashing\n").doesNotContain("main returned");
        assertThat(r.errors()).containsExactly("error: the guest crashed");
        JsonNode m = cli.machine("crasher");
        assertThat(m.get("status").asText()).isEqualTo("exited");
        assertThat(m.get("vmmExitCode").asInt()).isEqualTo(85);
        assertThat(m.get("exitCode").asInt()).isEqualTo(1);
        assertThat(cli.ok("ps", "-a").out()).containsPattern("crasher .* exited \\(1\\)");
    }

    @Test
    void detachedMachineThroughPsLogsStopStartAndRm() throws Exception {
        MachineCli.Result started = run("-d", "-n", "web", kernel.toString(), "--", LifeKernel.IDLE);
        assertThat(started.status()).as(started.err()).isZero();
        assertThat(started.out().strip()).isEqualTo("web");

        assertThat(cli.ok("ps").out()).containsPattern("(?m)^web .* running ");
        assertThat(cli.ok("ps", "-q").out().lines()).containsExactly("web");
        JsonNode web = cli.machine("web");
        assertThat(web.get("status").asText()).isEqualTo("running");
        long firstPid = web.get("pid").asLong();
        assertThat(cli.qemuOf(web)).extracting(MachineCli.Vmm::pid).containsExactly(firstPid);
        assertThat(new Reconciler(MachineStore.open(cli.stateDir())).staleProcesses())
                .as("QEMU and the shell waiting for it belong to the machine: nothing for rm --all to kill").isEmpty();
        MachineCli.await("the guest to idle", () -> cli.ok("logs", "web").console().contains(LifeKernel.IDLING));

        MachineCli.Result refused = cli.run("rm", "web");
        assertThat(refused.status()).isEqualTo(1);
        assertThat(refused.errors()).containsExactly("error: machine web is running");
        assertThat(refused.err()).contains("hint:", "jkraft stop web", "-f");
        assertThat(MachineCli.alive(firstPid)).as("rm without -f leaves it running").isTrue();

        assertThat(cli.ok("stop", "web").out().strip()).isEqualTo("web");
        assertThat(MachineCli.alive(firstPid)).isFalse();
        assertThat(cli.ok("ps", "-q").out()).isEmpty();
        assertThat(cli.machine("web").get("status").asText()).isEqualTo("exited");
        assertThat(cli.ok("stop", "web").status()).as("stopping a stopped machine").isZero();

        cli.ok("start", "web");
        JsonNode again = cli.machine("web");
        assertThat(again.get("status").asText()).isEqualTo("running");
        assertThat(again.get("pid").asLong()).isNotEqualTo(firstPid);
        assertThat(cli.qemuOf(again)).hasSize(1);
        MachineCli.await("the restarted guest to idle",
                () -> cli.ok("logs", "web").console().contains(LifeKernel.IDLING));
        assertThat(cli.ok("logs", "web").console()).as("logs of the new boot only").containsOnlyOnce("booting");

        assertThat(cli.ok("rm", "-f", "web").out().strip()).isEqualTo("web");
        assertThat(cli.machine("web")).isNull();
        assertThat(cli.processes()).isEmpty();
        assertThat(Path.of(again.get("stateDir").asText())).doesNotExist();
    }

    @Test
    void pauseAndUnpauseAndDetachedMachinesThatEndOnTheirOwn() throws Exception {
        cli.ok("run", "-W", "-M", "8Mi", "-d", "-n", "sleeper", kernel.toString(), "--", LifeKernel.IDLE);
        cli.ok("pause", "sleeper");
        JsonNode paused = cli.machine("sleeper");
        assertThat(paused.get("status").asText()).isEqualTo("paused");
        try (QmpClient qmp = MachineCli.qmp(paused)) {
            assertThat(qmp.queryStatus()).isEqualTo("paused");
        }
        assertThat(cli.ok("ps", "-q").out().lines()).as("ps lists paused machines").containsExactly("sleeper");
        MachineCli.Result again = cli.run("pause", "sleeper");
        assertThat(again.errors()).containsExactly("error: cannot pause sleeper: it is paused");
        cli.ok("unpause", "sleeper");
        assertThat(cli.machine("sleeper").get("status").asText()).isEqualTo("running");

        // Created paused, the guest runs (and ends) only once unpaused; then ps reads how it ended.
        cli.ok("run", "-W", "-M", "8Mi", "--no-start", "-n", "late", kernel.toString(), "--", "hello");
        assertThat(cli.machine("late").get("status").asText()).isEqualTo("paused");
        assertThat(cli.ok("logs", "late").console()).doesNotContain("life app");
        cli.ok("unpause", "late");
        cli.ok("run", "-W", "-M", "8Mi", "-d", "-n", "doomed", kernel.toString(), "--", LifeKernel.CRASH);
        MachineCli.await("both to end", () -> cli.ok("ps", "-q").out().strip().equals("sleeper"));
        assertThat(cli.machine("late").get("exitCode").asInt()).isZero();
        assertThat(cli.ok("logs", "late").console()).contains("argv[1]: hello", "main returned 0");
        assertThat(cli.machine("doomed").get("exitCode").asInt()).as(cli.machine("doomed").toString()).isEqualTo(1);
        assertThat(cli.machine("doomed").get("status").asText()).isEqualTo("exited");
    }

    @Test
    void logsFollowEndsWhenTheMachineIsStopped() throws Exception {
        cli.ok("run", "-W", "-M", "8Mi", "-d", "-n", "tail", kernel.toString(), "--", LifeKernel.IDLE);
        CompletableFuture<MachineCli.Result> follow = CompletableFuture.supplyAsync(() -> cli.run("logs", "-f", "tail"));
        MachineCli.await("the guest to idle", () -> cli.ok("logs", "tail").console().contains(LifeKernel.IDLING));
        assertThat(follow).as("logs -f while the machine runs").isNotDone();

        cli.ok("stop", "tail");

        MachineCli.Result followed = follow.get(MachineCli.PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(followed.status()).isZero();
        assertThat(followed.console()).contains(LifeKernel.IDLING);
    }

    @Test
    void publishedPortIsInQemusForwardingTableAndATakenPortIsRefusedBeforeQemuStarts() throws Exception {
        int port = freePort();
        cli.ok("run", "-W", "-M", "8Mi", "-d", "-n", "holder", "-p", port + ":8080", kernel.toString(), "--",
                LifeKernel.IDLE);
        JsonNode holder = cli.machine("holder");
        assertThat(holder.get("ports").toString()).contains("127.0.0.1:" + port + "->8080/tcp");
        try (QmpClient qmp = MachineCli.qmp(holder)) {
            assertThat(qmp.humanMonitor("info usernet")).containsPattern(
                    "TCP\\[HOST_FORWARD\\]\\s+\\d+\\s+127\\.0\\.0\\.1\\s+" + port + "\\s+10\\.0\\.2\\.15\\s+8080\\b");
        }

        MachineCli.Result second = run("-d", "-n", "second", "-p", port + ":9090", kernel.toString(), "--",
                LifeKernel.IDLE);
        assertThat(second.status()).isEqualTo(1);
        assertThat(second.errors()).singleElement().asString().contains(Integer.toString(port), "holder");
        assertThat(second.err()).contains("hint:").doesNotContain("\tat ");
        assertThat(cli.machine("second")).as("a refused machine is not recorded").isNull();
        String holderDir = holder.get("stateDir").asText();
        assertThat(cli.processes()).as("only the holder's processes").isNotEmpty()
                .allMatch(v -> v.argv().stream().anyMatch(a -> a.contains(holderDir)));

        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            MachineCli.Result busy = run("-d", "-n", "busy", "-p", taken.getLocalPort() + ":80", kernel.toString());
            assertThat(busy.status()).isEqualTo(1);
            assertThat(busy.errors()).singleElement().asString()
                    .contains(Integer.toString(taken.getLocalPort()), "already in use");
            assertThat(cli.machine("busy")).isNull();
        }
        assertThat(cli.processes()).allMatch(v -> v.argv().stream().anyMatch(a -> a.contains(holderDir)));
    }

    @Test
    void volumeAndInitrdAreAttachedAndReachTheGuest() throws Exception {
        Path share = Files.createDirectories(tmp.resolve("share"));
        byte[] archive = "070701 a stand-in cpio".getBytes(StandardCharsets.US_ASCII);
        Path initrd = Files.write(tmp.resolve("root.cpio"), archive);

        cli.ok("run", "-W", "-M", "8Mi", "-d", "-n", "files", "-v", share + ":/data", "--initrd", initrd.toString(),
                kernel.toString(), "--", LifeKernel.IDLE);

        JsonNode files = cli.machine("files");
        MachineCli.await("the guest to idle", () -> cli.ok("logs", "files").console().contains(LifeKernel.IDLING));
        String console = cli.ok("logs", "files").console();
        assertThat(console).contains("initrd: " + archive.length + " bytes\n");
        assertThat(console).contains("vfs.fstab=[ \"initrd0:/:extract::ramfs=1:\" \"fs0:/data:9pfs:::mkmp\" ] -- idle\n");
        try (QmpClient qmp = MachineCli.qmp(files)) {
            assertThat(qmp.humanMonitor("info qtree")).contains("dev: virtio-9p-device", "mount_tag = \"fs0\"");
        }
        List<String> argv = cli.qemuOf(files).getFirst().argv();
        assertThat(argv).containsSubsequence("-fsdev", "local,id=fs0,path=" + share + ",security_model=none");
        assertThat(argv).containsSubsequence("-initrd", initrd.toString());
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s.getLocalPort();
        }
    }
}
