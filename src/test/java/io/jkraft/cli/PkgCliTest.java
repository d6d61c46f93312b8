package io.jkraft.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jkraft.pkg.PackageService;
import io.jkraft.testing.FixtureApp;
import io.jkraft.testing.FixtureRepos;
import io.jkraft.testing.QemuBoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** `jkraft pkg`, `pkg ls/rm/prune` and `run REF`, in process, with real fixture kernels booted under QEMU. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PkgCliTest {
    private FixtureRepos repos;
    private Path tmp;
    private MachineCli cli;
    private List<String> platforms;

    @BeforeAll
    void fixtures(@TempDir Path shared) throws Exception {
        assumeTrue(QemuBoot.available("x86_64"), () -> QemuBoot.unavailableReason("x86_64"));
        repos = FixtureRepos.create(shared.resolve("mirror"));
        platforms = new ArrayList<>(List.of("qemu/x86_64"));
        if (QemuBoot.available("arm64")) {
            platforms.add("qemu/arm64");
        }
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

    private Path app() throws Exception {
        return FixtureApp.create(tmp.resolve("app"), """
                spec: v0.6
                name: hello
                unikraft: stable
                targets: [%s]
                cmd: ["from", "the kraftfile"]
                """.formatted(String.join(", ", platforms)));
    }

    @Tag("qemu")
    @Test
    void packListRunRemovePrune() throws Exception {
        Path app = app();

        MachineCli.Result packed = cli.run("pkg", "-n", "hello:1.0", "-a", "packed", "-a", "cmd", app.toString());
        assertThat(packed.status()).as(packed.err()).isZero();
        String digest = packed.out().strip();
        assertThat(digest).startsWith("sha256:");
        MachineCli.Result again = cli.run("pkg", "-n", "hello:1.0", "-a", "packed", "-a", "cmd", app.toString());
        assertThat(again.out().strip()).as("nothing changed, so the same image").isEqualTo(digest);

        MachineCli.Result ls = cli.run("pkg", "ls", "-o", "json");
        assertThat(ls.status()).as(ls.err()).isZero();
        JsonNode images = new ObjectMapper().readTree(ls.out());
        assertThat(images).hasSize(1);
        JsonNode image = images.get(0);
        assertThat(image.get("reference").asText()).isEqualTo("unikraft.org/hello:1.0");
        assertThat(image.get("digest").asText()).isEqualTo(digest);
        List<String> listed = new ArrayList<>();
        image.get("platforms").forEach(p -> listed.add(p.asText()));
        assertThat(listed).containsExactlyInAnyOrderElementsOf(platforms);
        assertThat(image.get("size").asLong()).isGreaterThan(Files.size(
                app.resolve(".unikraft/build/hello_qemu-x86_64")));
        assertThat(cli.run("pkg", "ls").out()).contains("unikraft.org/hello:1.0", "qemu/x86_64");

        MachineCli.Result run = cli.run("run", "-W", "-M", "8Mi", "-m", "x86_64", "hello:1.0");
        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.console().lines()).containsSubsequence(FixtureApp.GREETING, "argv[1]: packed", "argv[2]: cmd");
        MachineCli.Result overridden = cli.run("run", "-W", "-M", "8Mi", "-m", "x86_64", "hello:1.0", "--", "mine");
        assertThat(overridden.status()).as(overridden.err()).isZero();
        assertThat(overridden.console().lines()).contains("argv[1]: mine").doesNotContain("argv[1]: packed");

        MachineCli.Result rm = cli.run("pkg", "rm", "hello:1.0");
        assertThat(rm.status()).as(rm.err()).isZero();
        MachineCli.Result gone = cli.run("run", "-W", "-M", "8Mi", "hello:1.0");
        oneClearError(gone, "no image unikraft.org/hello:1.0 in the local store", "jkraft pkg ls");
        oneClearError(cli.run("pkg", "rm", "hello:1.0"), "no image unikraft.org/hello:1.0");

        Path store = tmp.resolve("data/jkraft/oci");
        assertThat(blobs(store)).isNotEmpty();
        PackageService service = new PackageService(null, store, tmp.resolve("cache"), tmp);
        assertThat(service.prune(Duration.ZERO)).isGreaterThan(0);
        assertThat(blobs(store)).isEmpty();
    }

    @Test
    void badReferenceIsOneErrorBeforeAnythingIsBuilt() throws Exception {
        Path app = app();

        oneClearError(cli.run("pkg", "-n", "Hello World", app.toString()), "'Hello World' is not an image reference");
        oneClearError(cli.run("pkg", "-n", "hello:bad:tag", app.toString()), "is not an image reference");
        oneClearError(cli.run("pkg", "rm", "UPPER"), "'UPPER' is not an image reference");
        oneClearError(cli.run("pkg", "push", "hello"), "no image unikraft.org/hello:latest in the local store");
        assertThat(app.resolve(".unikraft")).doesNotExist();
    }

    private static List<Path> blobs(Path store) throws Exception {
        try (Stream<Path> s = Files.list(store.resolve("blobs/sha256"))) {
            return s.toList();
        }
    }

    private static void oneClearError(MachineCli.Result r, String... mentions) {
        assertThat(r.status()).as(r.err()).isEqualTo(1);
        assertThat(r.errors()).as(r.err()).singleElement().asString().contains(mentions);
        assertThat(r.err()).doesNotContain("\tat ", "Exception");
        assertThat(r.out()).isEmpty();
    }
}
