package io.jkraft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jkraft.common.ExitCode;
import io.jkraft.startup.Main;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The resident helper with its real client: a helper JVM ({@code Main __serve}) and the launcher's bash
 * functions (scripts/helper-client.sh) talking through FIFOs, with real QEMU for the foreground runs.
 * The client's status tells who ran the command: 97, 98 and 99 mean the helper did not.
 */
@Tag("qemu")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ResidentHelperTest {
    private Path kernel;
    private MachineCli cli;
    private Path dir;
    private HelperFixture helpers;
    private Process helper;

    @BeforeAll
    void buildKernel(@TempDir Path shared) throws Exception {
        kernel = LifeKernel.build(shared);
    }

    @BeforeEach
    void startHelper(@TempDir Path perTest) throws Exception {
        dir = perTest;
        cli = new MachineCli(perTest);
        helpers = new HelperFixture(perTest).start(cli.environment());
        helper = helpers.helper();
    }

    @AfterEach
    void stop() throws Exception {
        helpers.close();
        cli.cleanUp();
    }

    private HelperFixture.Launcher client(Map<String, String> env, Path cwd, String... args) throws IOException {
        return helpers.launch(env, cwd, args);
    }

    private HelperFixture.Launcher client(String... args) throws IOException {
        return client(cli.environment(), dir, args);
    }

    @Test
    void aServedCommandPrintsOnTheLaunchersOutputAndEndsWithItsStatus() throws Exception {
        HelperFixture.Launcher ps = client("ps", "-a", "-o", "json");
        assertThat(ps.awaitExit()).as(ps.stderr()).isZero();
        assertThat(new ObjectMapper().readTree(ps.stdout()).isArray()).isTrue();

        HelperFixture.Launcher inspect = client("inspect", "nosuch");
        assertThat(inspect.awaitExit()).isEqualTo(1);
        assertThat(inspect.stderr()).contains("error: ").contains("nosuch");
        assertThat(inspect.stdout()).isEmpty();
        MachineCli.await("the request files to go", () -> {
            try (var files = Files.list(helperFolder())) {
                return files.map(f -> f.getFileName().toString()).sorted().toList().equals(List.of("pid", "requests"));
            }
        });
    }

    @Test
    void everyQuickCommandDeliversItsWholeOutput() throws Exception {
        // The request line is written with bash's stdout pointed at the helper's FIFO for a moment; a helper
        // that opened the launcher's stdout in that moment wrote the output into its own FIFO (seen in about
        // one command in five, more with a machine running).
        cli.ok("run", "-W", "-M", "8Mi", "-d", "-n", "busy", kernel.toString(), "--", LifeKernel.IDLE);
        for (int i = 0; i < 25; i++) {
            HelperFixture.Launcher ps = client("ps", "-a", "-o", "json");
            assertThat(ps.awaitExit()).as(ps.stderr()).isZero();
            assertThat(ps.stdout()).as("command %d's output", i).contains("\"busy\"");
        }
    }

    @Test
    void jkraftsOwnFoldersComeFromTheRequest() throws Exception {
        MachineCli second = new MachineCli(Files.createDirectories(dir.resolve("second")));
        try {
            second.ok("run", "-W", "-M", "8Mi", "--no-start", "-n", "only-in-second", kernel.toString());
            Map<String, String> env = new HashMap<>(cli.environment());
            env.put("XDG_STATE_HOME", second.environment().get("XDG_STATE_HOME"));
            HelperFixture.Launcher ps = client(env, dir, "ps", "-a", "-o", "json");
            assertThat(ps.awaitExit()).as(ps.stderr()).isZero();
            assertThat(ps.stdout()).contains("only-in-second");
            HelperFixture.Launcher own = client("ps", "-a", "-o", "json");
            assertThat(own.awaitExit()).isZero();
            assertThat(own.stdout()).doesNotContain("only-in-second");
        } finally {
            second.cleanUp();
        }
    }

    @Test
    void anotherFolderAndEnvironmentAreServedByTheSameHelper() throws Exception {
        // A relative kernel path in another folder, a variable of the launcher's own, and a QEMU found on the
        // launcher's PATH (a wrapper that notes the environment it got, then runs the real one).
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        Files.copy(kernel, elsewhere.resolve("k"));
        Path wrap = Files.createDirectories(dir.resolve("wrap"));
        Path qemu = io.jkraft.common.HostSystem.onPath("qemu-system-x86_64", cli.environment()).orElseThrow();
        Path wrapper = Files.writeString(wrap.resolve("qemu-system-x86_64"), "#!/bin/sh\necho \"$JKRAFT_MARK\" >>'"
                + dir.resolve("qemu-env.log") + "'\nexec '" + qemu + "' \"$@\"\n");
        Files.setPosixFilePermissions(wrapper, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        Map<String, String> env = new HashMap<>(cli.environment());
        env.put("JKRAFT_MARK", "from the launcher");
        env.put("PATH", wrap + ":" + env.get("PATH"));

        HelperFixture.Launcher run = client(env, elsewhere, "run", "-W", "-M", "8Mi", "--no-start", "-n", "rel", "-e",
                "JKRAFT_MARK", "k");

        assertThat(run.awaitExit()).as(run.stderr()).isZero();
        JsonNode rel = cli.machine("rel");
        assertThat(rel.get("kernel").asText()).as("resolved in the launcher's folder")
                .isEqualTo(elsewhere.resolve("k").toString());
        assertThat(rel.get("env").get("JKRAFT_MARK").asText()).as("-e NAME takes the launcher's value")
                .isEqualTo("from the launcher");
        assertThat(Files.readString(dir.resolve("qemu-env.log"))).as("the QEMU of the launcher's PATH, with its environment")
                .contains("from the launcher");
        HelperFixture.Launcher ps = client(env, elsewhere, "ps", "-a");
        assertThat(ps.awaitExit()).as(ps.stderr()).isZero();
        assertThat(ps.stdout()).contains("rel");
        helpers.assertStillServing();
    }

    @Test
    void aUmaskOrATimeZoneOfItsOwnStartsAHelperOfItsOwn() throws Exception {
        // Both are the JVM's, not the command's: a JVM of its own would make files, or read times, differently.
        Map<String, String> tz = new HashMap<>(cli.environment());
        tz.put("TZ", "Pacific/Auckland");
        assertThat(client(tz, dir, "ps").awaitExit()).isEqualTo(98);
        HelperFixture.Launcher umask = helpers.script(cli.environment(), dir, "umask 077; exec \"$LAUNCH\" ps");
        assertThat(umask.awaitExit()).as(umask.stderr()).isEqualTo(98);
    }

    @Test
    void aLauncherInAnotherNetworkNamespaceOrWithOtherCapabilitiesIsLeftToItself() throws Exception {
        // Its machine commands make and remove network devices (taps, the sweep of ps): in the helper they would
        // act in the helper's namespace, with the helper's privilege.
        org.junit.jupiter.api.Assumptions.assumeTrue(io.jkraft.net.NetworkPrivilege.held(Path.of("/proc/self/status")),
                "needs CAP_NET_ADMIN (root) to make a network namespace and to drop the capability");
        HelperFixture.Launcher netns = helpers.script(cli.environment(), dir, "exec unshare --net \"$LAUNCH\" ps");
        assertThat(netns.awaitExit()).as(netns.stderr()).isEqualTo(97);
        HelperFixture.Launcher caps = helpers.script(cli.environment(), dir,
                "exec setpriv --inh-caps=-net_admin --bounding-set=-net_admin \"$LAUNCH\" ps");
        assertThat(caps.awaitExit()).as(caps.stderr()).isEqualTo(97);
        helpers.assertStillServing();
    }

    @Test
    void aCommandTheHelperDoesNotServeIsLeftToTheLauncher() throws Exception {
        HelperFixture.Launcher build = client("build", "--help");
        assertThat(build.awaitExit()).isEqualTo(97);
        assertThat(build.stdout()).isEmpty();
        helpers.assertStillServing();
    }

    @Test
    void ctrlCStopsAForegroundRunAsItsOwnJvmWould() throws Exception {
        HelperFixture.Launcher run = client("run", "-W", "-M", "8Mi", "-n", "fg", kernel.toString(), "--", "arg two", LifeKernel.IDLE);
        MachineCli.await("the guest to idle", () -> run.stdout().contains(LifeKernel.IDLING));
        assertThat(run.stdout()).contains("argv[1]: arg two");
        signal(run.process().pid(), "INT");
        assertThat(awaitExitOrExplain(run)).isEqualTo(ExitCode.INTERRUPTED.code());
        JsonNode fg = cli.machine("fg");
        assertThat(fg.get("status").asText()).isNotEqualTo("running");
        assertThat(cli.qemuOf(fg)).isEmpty();
    }

    @Test
    void aKilledLauncherLeavesItsMachineRunningAndRemovable() throws Exception {
        HelperFixture.Launcher run = client("run", "-W", "-M", "8Mi", "-n", "orphan", kernel.toString(), "--", LifeKernel.IDLE);
        MachineCli.await("the guest to idle", () -> run.stdout().contains(LifeKernel.IDLING));
        signal(run.process().pid(), "KILL");
        run.process().waitFor();
        assertThat(cli.machine("orphan").get("status").asText()).isEqualTo("running");
        HelperFixture.Launcher rm = client("rm", "-f", "orphan");
        assertThat(rm.awaitExit()).as(rm.stderr()).isZero();
        assertThat(rm.stdout()).contains("orphan");
        assertThat(cli.machine("orphan")).isNull();
    }

    @Test
    void withoutALiveHelperNothingRuns() throws Exception {
        helper.destroyForcibly().waitFor();
        HelperFixture.Launcher ps = client("ps");
        assertThat(ps.awaitExit()).isEqualTo(99);
        assertThat(ps.stdout()).isEmpty();
    }

    @Test
    void aRequestNobodyTakesIsCancelledNotRunLater() throws Exception {
        // The helper stops reading (SIGSTOP): the launcher gives up, and the helper, once resumed, finds
        // the request cancelled instead of running it behind the launcher's back.
        signal(helper.pid(), "STOP");
        try {
            HelperFixture.Launcher rm = client("run", "-W", "-M", "8Mi", "--no-start", "-n", "late", kernel.toString());
            assertThat(rm.awaitExit()).isEqualTo(99);
        } finally {
            signal(helper.pid(), "CONT");
        }
        HelperFixture.Launcher ps = client("ps", "-a", "-o", "json");
        assertThat(ps.awaitExit()).isZero();
        assertThat(ps.stdout()).doesNotContain("late");
        MachineCli.await("the cancelled request to be cleaned up", () -> {
            try (var files = Files.list(helperFolder())) {
                return files.noneMatch(f -> f.getFileName().toString().contains("."));
            }
        });
    }

    @Test
    void ctrlCBeforeTheHelperClaimsTheCommandCancelsIt() throws Exception {
        signal(helper.pid(), "STOP");
        try {
            HelperFixture.Launcher run = client("run", "-W", "-M", "8Mi", "--no-start", "-n", "never", kernel.toString());
            MachineCli.await("the request to be sent", () -> {
                try (var files = Files.list(helperFolder())) {
                    return files.anyMatch(f -> f.getFileName().toString().endsWith(".args"));
                }
            });
            signal(run.process().pid(), "INT");
            assertThat(run.awaitExit()).isEqualTo(130);
        } finally {
            signal(helper.pid(), "CONT");
        }
        HelperFixture.Launcher ps = client("ps", "-a", "-o", "json");
        assertThat(ps.awaitExit()).isZero();
        assertThat(ps.stdout()).doesNotContain("never");
    }

    /** The client's status; when it does not end, the failure shows what the helper was doing. */
    private int awaitExitOrExplain(HelperFixture.Launcher client) throws Exception {
        try {
            return client.awaitExit();
        } catch (AssertionError e) {
            Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
            Process dump = new ProcessBuilder(jcmd.toString(), Long.toString(helper.pid()), "Thread.print")
                    .redirectErrorStream(true).start();
            String threads = new String(dump.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            long pid = client.process().pid();
            StringBuilder state = new StringBuilder();
            for (String f : List.of("wchan", "stack", "status")) {
                try {
                    state.append(f).append(": ").append(Files.readString(Path.of("/proc/" + pid + "/" + f))).append('\n');
                } catch (IOException x) {
                    state.append(f).append(": ").append(x).append('\n');
                }
            }
            try (var fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
                for (Path fd : fds.toList()) {
                    state.append("fd ").append(fd.getFileName()).append(" -> ").append(Files.readSymbolicLink(fd)).append('\n');
                }
            } catch (IOException x) {
                state.append(x);
            }
            Process children = new ProcessBuilder("ps", "-o", "pid,ppid,stat,args", "--ppid", Long.toString(pid))
                    .redirectErrorStream(true).start();
            state.append(new String(children.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            throw new AssertionError(e.getMessage() + "\nclient: " + state + "\nhelper log: " + Files.readString(dir.resolve("helper.log"))
                    + "\nhelper threads:\n" + threads, e);
        }
    }

    private Path helperFolder() {
        return helpers.helperFolder();
    }

    private static void signal(long pid, String name) throws Exception {
        HelperFixture.signal(pid, name);
    }
}
