package io.jkraft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jkraft.testing.FixtureApp;
import io.jkraft.testing.FixtureRepos;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code jkraft run} and the machine commands do with bad input: one clear error line (and a
 * hint), a non-zero exit, no stack trace, and nothing recorded or started. Also the good path of
 * running a project folder, which is built first.
 */
@Tag("qemu")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RunInputTest {
    private static final String KRAFTFILE = """
            spec: v0.6
            name: hello
            unikraft: stable
            targets: [qemu/x86_64]
            cmd: ["from", "the kraftfile"]
            """;

    private Path kernel;
    private FixtureRepos repos;
    private Path tmp;
    private MachineCli cli;

    @BeforeAll
    void buildOnce(@TempDir Path shared) throws Exception {
        kernel = LifeKernel.build(shared);
        repos = FixtureRepos.create(shared.resolve("mirror"));
    }

    @BeforeEach
    void isolatedState(@TempDir Path perTest) {
        tmp = perTest;
        cli = new MachineCli(perTest).withEnv("JKRAFT_ORIGIN_BASE", repos.base().toUri().toString());
    }

    @AfterEach
    void noMachineOutlivesTheTest() throws Exception {
        cli.cleanUp();
    }

    /** One error line mentioning every word given, exit 1, and no trace of a Java exception. */
    private static void oneClearError(MachineCli.Result r, String... mentions) {
        assertThat(r.status()).as(r.err()).isEqualTo(1);
        assertThat(r.errors()).as(r.err()).singleElement().asString().contains(mentions);
        assertThat(r.err()).doesNotContain("\tat ", "Exception");
        assertThat(r.out()).isEmpty();
    }

    private void nothingRecordedOrStarted() throws Exception {
        assertThat(cli.machines()).isEmpty();
        assertThat(cli.processes()).isEmpty();
    }

    @Test
    void unknownMachineNameIsOneErrorForEveryCommand() throws Exception {
        for (String command : List.of("logs", "inspect", "stop", "start", "pause", "unpause", "rm")) {
            MachineCli.Result r = cli.run(command, "no-such-machine");
            oneClearError(r, "no machine is named 'no-such-machine'");
            assertThat(r.err()).as(command).contains("hint: `jkraft ps` lists them");
        }
        oneClearError(cli.run("rm", "-f", "no-such-machine"), "no-such-machine");
    }

    @Test
    void badPortVolumeAndMemorySyntaxIsRefusedBeforeAnythingStarts() throws Exception {
        Path share = Files.createDirectories(tmp.resolve("share"));
        List<List<String>> flags = List.of(
                List.of("-p", "8080"), List.of("-p", "99999:80"), List.of("-p", "web:80"), List.of("-p", "80:80/sctp"),
                List.of("-v", tmp.resolve("missing") + ":/data"), List.of("-v", share.toString()),
                List.of("-v", share + ":data"), List.of("-v", share + ":/data:rx"),
                List.of("-M", "lots"), List.of("-M", "512Ki"), List.of("-M", "-1"));
        for (List<String> flag : flags) {
            MachineCli.Result r = cli.run("run", "-W", "-d", flag.get(0), flag.get(1), kernel.toString());
            oneClearError(r, flag.get(0) + " " + flag.get(1));
        }
        nothingRecordedOrStarted();
    }

    @Test
    void aTakenNameIsOneErrorAndTheQemuStartedAheadOfTheRecordIsGone() throws Exception {
        cli.ok("run", "-W", "-M", "8Mi", "-d", "-n", "taken", kernel.toString(), "--", LifeKernel.IDLE);
        List<MachineCli.Vmm> before = cli.processes();

        // No ports: this run starts QEMU while it records the machine, and must end it on the refusal.
        MachineCli.Result r = cli.run("run", "-W", "-M", "8Mi", "-d", "-n", "taken", kernel.toString());

        oneClearError(r, "a machine named taken already exists");
        assertThat(cli.processes()).isEqualTo(before);
        try (var folders = Files.list(cli.runtimeDir())) {
            assertThat(folders.toList()).as("one runtime folder: the first machine's").hasSize(1);
        }
    }

    @Test
    void missingKernelIsOneError() throws Exception {
        Path missing = tmp.resolve("no-such-kernel");
        oneClearError(cli.run("run", "-W", missing.toString()), missing.toString(),
                "neither a project folder nor a kernel file");
        oneClearError(cli.run("run", "-W", "--initrd", tmp.resolve("no.cpio").toString(), kernel.toString()),
                "--initrd", "no such file");
        // A bare word could be a mistyped folder or an image name: the message names both.
        oneClearError(cli.run("run", "-W", "no-such-thing"), "no-such-thing is not a project folder, a kernel file, "
                + "or an image in the local store");
        oneClearError(cli.run("run", "-W", "acme/no-such-image"), "no image unikraft.org/acme/no-such-image:latest");
        nothingRecordedOrStarted();
    }

    @Test
    void unbuildableProjectIsOneErrorWithTheCompilerLocation() throws Exception {
        Path app = FixtureApp.create(tmp.resolve("app"), KRAFTFILE);
        FixtureApp.breakSource(app);

        MachineCli.Result r = cli.run("run", "-W", app.toString());

        assertThat(r.status()).isEqualTo(1);
        assertThat(r.errors()).as(r.err()).singleElement().asString().contains("hello.c:" + FixtureApp.BROKEN_LINE);
        assertThat(r.err()).contains("hint: ").doesNotContain("\tat ");
        nothingRecordedOrStarted();
    }

    @Test
    void badFlagIsReportedBeforeTheProjectIsBuilt() throws Exception {
        Path app = FixtureApp.create(tmp.resolve("app"), KRAFTFILE);

        oneClearError(cli.run("run", "-W", "-p", "80", app.toString()), "-p 80");
        oneClearError(cli.run("run", "-W", "-M", "lots", app.toString()), "-M lots");
        oneClearError(cli.run("run", "-W", "-v", "nowhere:/data", app.toString()), "-v nowhere:/data");
        oneClearError(cli.run("run", "-W", "--initrd", "nowhere.cpio", app.toString()), "--initrd nowhere.cpio");
        oneClearError(cli.run("run", "-W", "-e", "=x", app.toString()), "-e =x");
        oneClearError(cli.run("run", "-W", "--cpus", "0", app.toString()), "--cpus 0");

        assertThat(app.resolve(".unikraft")).as("no build for a run that cannot start").doesNotExist();
        nothingRecordedOrStarted();
    }

    @Test
    void projectFolderIsBuiltThenBootedWithTheKraftfileCmdUnlessArgumentsAreGiven() throws Exception {
        Path app = FixtureApp.create(tmp.resolve("app"), KRAFTFILE);

        MachineCli.Result first = cli.run("run", "-W", "-M", "8Mi", "-n", "project", app.toString());

        assertThat(first.status()).as(first.err()).isZero();
        assertThat(first.console().lines()).containsSubsequence(FixtureApp.GREETING, "argv[1]: from",
                "argv[2]: the kraftfile", "main returned 0");
        assertThat(cli.machine("project").get("kernel").asText()).startsWith(app.toString());

        MachineCli.Result second = cli.run("run", "-W", "-M", "8Mi", app.toString(), "--", "mine");
        assertThat(second.status()).as(second.err()).isZero();
        assertThat(second.console().lines()).contains("argv[1]: mine").doesNotContain("argv[1]: from");
    }
}
