package io.jkraft.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jkraft.testing.FixtureApp;
import io.jkraft.testing.FixtureRepos;
import io.jkraft.testing.LocalRegistry;
import io.jkraft.testing.QemuBoot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** `pkg --push`, `pkg push`, `pkg pull`, `login`, `logout` in process, against the real docker-registry. */
@Tag("qemu")
@Tag("registry")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PkgRegistryCliTest {
    private FixtureRepos repos;
    private Path tmp;
    private MachineCli cli;

    @BeforeAll
    void fixtures(@TempDir Path shared) throws Exception {
        String reason = LocalRegistry.unavailableReason();
        assumeTrue(reason == null, reason);
        assumeTrue(QemuBoot.available("x86_64"), () -> QemuBoot.unavailableReason("x86_64"));
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

    @Test
    void packAndPushRemoveLocallyPullRun() throws Exception {
        try (LocalRegistry registry = LocalRegistry.start(tmp)) {
            Path app = FixtureApp.create(tmp.resolve("app"), """
                    spec: v0.6
                    name: hello
                    unikraft: stable
                    targets: [qemu/x86_64]
                    cmd: ["from", "the registry"]
                    """);
            String ref = registry.address() + "/demo/hello:1.0";

            MachineCli.Result packed = cli.run("pkg", "-n", ref, "--push", app.toString());
            assertThat(packed.status()).as(packed.err()).isZero();
            assertThat(packed.err()).contains("uploaded", "pushed " + ref);
            String digest = packed.out().strip();

            MachineCli.Result again = cli.run("pkg", "push", ref);
            assertThat(again.status()).as(again.err()).isZero();
            assertThat(again.err()).contains("exists").doesNotContain("uploaded");
            assertThat(again.out().strip()).isEqualTo(digest);

            assertThat(cli.run("pkg", "rm", ref).status()).isZero();
            MachineCli.Result pulled = cli.run("pkg", "pull", "-p", "qemu", "-m", "x86_64", ref);
            assertThat(pulled.status()).as(pulled.err()).isZero();
            assertThat(pulled.err()).contains("cached", "pulled " + ref);
            assertThat(pulled.out().strip()).isEqualTo(digest);

            // a store that never saw the image: everything is downloaded
            MachineCli other = new MachineCli(tmp.resolve("other"));
            MachineCli.Result fresh = other.run("pkg", "pull", ref);
            assertThat(fresh.status()).as(fresh.err()).isZero();
            assertThat(fresh.err()).contains("downloaded");
            MachineCli.Result run = other.run("run", "-W", "-M", "8Mi", "--rm", ref);
            assertThat(run.status()).as(run.err()).isZero();
            assertThat(run.console().lines()).containsSubsequence(FixtureApp.GREETING, "argv[1]: from", "argv[2]: the registry");
            other.cleanUp();

            MachineCli.Result missing = cli.run("pkg", "pull", registry.address() + "/demo/none:1");
            assertThat(missing.status()).isEqualTo(1);
            assertThat(missing.errors()).singleElement().asString().contains("has no image demo/none:1");
            assertThat(missing.err()).doesNotContain("Exception");
        }
    }

    @Test
    void loginStoresThePasswordPrivatelyAndNoOutputShowsIt() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/htpasswd")), "htpasswd is not installed (Debian: apache2-utils)");
        String password = "cli-Pw-93kq";
        Process p = new ProcessBuilder("htpasswd", "-Bbn", "bob", password).start();
        String line = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        Path htpasswd = Files.writeString(tmp.resolve("htpasswd"), line);
        try (LocalRegistry registry = LocalRegistry.start(tmp, "127.0.0.1",
                "  htpasswd:\n    realm: test\n    path: " + htpasswd + "\n")) {
            MachineCli.Result wrong = cli.run("login", registry.address(), "-u", "bob", "-p", "x" + password);
            assertThat(wrong.status()).isEqualTo(1);
            assertThat(wrong.errors()).singleElement().asString().contains("refused the credentials");
            assertThat(wrong.out() + wrong.err()).doesNotContain(password);

            MachineCli.Result ok = cli.run("login", registry.address(), "-u", "bob", "-p", password);
            assertThat(ok.status()).as(ok.err()).isZero();
            assertThat(ok.out() + ok.err()).contains("logged in to " + registry.address()).doesNotContain(password);
            Path auth = tmp.resolve("config/jkraft/auth.json");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(auth))).isEqualTo("rw-------");

            MachineCli.Result out = cli.run("logout", registry.address());
            assertThat(out.status()).isZero();
            assertThat(out.err()).contains("logged out of " + registry.address());
            assertThat(Files.readString(auth)).doesNotContain(registry.address());
        }
    }
}
