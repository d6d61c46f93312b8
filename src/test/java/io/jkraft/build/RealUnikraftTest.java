package io.jkraft.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jkraft.common.Invocation;
import io.jkraft.config.JkraftConfig;
import io.jkraft.config.JkraftPaths;
import io.jkraft.testing.QemuBoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Builds the bundled example with a real Unikraft core and boots it for both architectures. Real
 * Unikraft is not part of this repository and CI has no internet, so these tests run only when told where
 * the core is:
 * <ul>
 *   <li>{@code JKRAFT_TEST_UNIKRAFT}: a Unikraft checkout, used as the core's local source;</li>
 *   <li>{@code JKRAFT_TEST_ORIGIN_BASE}: a folder (or file:// URL) of git mirrors holding {@code unikraft},
 *       used as the origin base, so the example's own {@code unikraft: stable} is fetched from it.</li>
 * </ul>
 */
@Tag("qemu")
@Tag("unikraft")
class RealUnikraftTest {
    private static final String GREETING = "Hello from jkraft's example unikernel!";
    private static final Path EXAMPLE = Path.of("examples/helloworld");

    @TempDir
    Path tmp;

    @Test
    void exampleWithALocalUnikraftCheckoutBuildsAndBootsOnBothArchitectures() throws Exception {
        String core = System.getenv("JKRAFT_TEST_UNIKRAFT");
        assumeTrue(core != null && !core.isBlank(),
                "JKRAFT_TEST_UNIKRAFT is not set: point it at a Unikraft checkout to build the example with it");
        Path app = copyExample();
        String kraftfile = Files.readString(app.resolve("Kraftfile"))
                .replace("  version: stable\n", "  source: " + Path.of(core).toAbsolutePath() + "\n");
        assertThat(kraftfile).contains("source: ");
        Files.writeString(app.resolve("Kraftfile"), kraftfile);
        buildAndBoot(app, "https://unused.invalid/unikraft");
    }

    @Test
    void exampleFromAMirrorOfUnikraftsRepositoriesBuildsAndBootsOnBothArchitectures() throws Exception {
        String base = System.getenv("JKRAFT_TEST_ORIGIN_BASE");
        assumeTrue(base != null && !base.isBlank(),
                "JKRAFT_TEST_ORIGIN_BASE is not set: point it at a folder of git mirrors (with unikraft) to fetch from it");
        buildAndBoot(copyExample(), base);
    }

    /**
     * An app that is only a Kraftfile and a rootfs (no Makefile.uk, no sources: the core's weak main runs), whose
     * kernel embeds the rootfs: the archive is linked into the image, no Makefile.uk is left, and it boots.
     */
    @Test
    void appWithoutMakefileEmbedsItsRootfsInTheImage() throws Exception {
        String core = System.getenv("JKRAFT_TEST_UNIKRAFT");
        assumeTrue(core != null && !core.isBlank(),
                "JKRAFT_TEST_UNIKRAFT is not set: point it at a Unikraft checkout to build with it");
        Path app = Files.createDirectories(tmp.resolve("only-a-kraftfile"));
        Files.createDirectories(app.resolve("rootfs/etc"));
        String marker = "embedded by jkraft " + System.nanoTime();
        Files.writeString(app.resolve("rootfs/etc/motd"), marker + "\n");
        Files.writeString(app.resolve("Kraftfile"), """
                spec: v0.6
                name: embed
                unikraft:
                  source: %s
                  kconfig:
                    CONFIG_LIBVFSCORE: 'y'
                    CONFIG_LIBVFSCORE_AUTOMOUNT_CI: 'y'
                    CONFIG_LIBVFSCORE_AUTOMOUNT_CI_EINITRD: 'y'
                    CONFIG_LIBUKRANDOM: 'n'
                rootfs: ./rootfs
                targets: [qemu/x86_64]
                """.formatted(Path.of(core).toAbsolutePath()));
        JkraftPaths paths = new JkraftPaths(tmp.resolve("c"), tmp.resolve("d"), tmp.resolve("s"), tmp.resolve("k"));
        BuildService service = new BuildService(new JkraftConfig("https://unused.invalid/unikraft"), paths,
                Invocation.ofThisProcess(), BuildListener.SILENT);
        BuildRequest request = new BuildRequest(app, null, null, null, List.of(), false,
                Runtime.getRuntime().availableProcessors(), false, false, false, Map.of(), null);

        BuildResult r = service.build(request).getFirst();

        assertThat(r.embeddedInitrd()).isEqualTo(app.resolve(".unikraft/build/initramfs-x86_64.cpio"));
        assertThat(new String(Files.readAllBytes(r.debug()), java.nio.charset.StandardCharsets.ISO_8859_1))
                .as("the archive is in the image").contains(marker, "vfscore_einitrd_start");
        assertThat(app.resolve("Makefile.uk")).doesNotExist();
        assertThat(service.build(request).getFirst().upToDate()).isTrue();
        if (QemuBoot.available("x86_64")) {
            assertThat(QemuBoot.boot("x86_64", r.kernel(), null, Duration.ofSeconds(60)).output())
                    .contains("weak main() called");
        }
    }

    private void buildAndBoot(Path app, String originBase) throws Exception {
        JkraftPaths paths = new JkraftPaths(tmp.resolve("c"), tmp.resolve("d"), tmp.resolve("s"), tmp.resolve("k"));
        BuildService service = new BuildService(new JkraftConfig(originBase), paths, Invocation.ofThisProcess(), BuildListener.SILENT);
        List<BuildResult> results = service.build(new BuildRequest(app, null, null, null, List.of(), false,
                Runtime.getRuntime().availableProcessors(), false, false, false, Map.of(), null));
        assertThat(results).extracting(r -> r.target().platArch()).containsExactly("qemu/x86_64", "qemu/arm64");
        for (BuildResult r : results) {
            String arch = r.target().architecture().kraftName();
            assertThat(r.debug()).as("unstripped image").isRegularFile();
            if (!QemuBoot.available(arch)) {
                continue;
            }
            QemuBoot.Result boot = QemuBoot.boot(arch, r.kernel(), null, Duration.ofSeconds(60));
            assertThat(boot.output()).as(arch).contains(GREETING);
        }
        assertThat(service.build(new BuildRequest(app, null, null, null, List.of(), false, 2, false, false, false,
                Map.of(), null))).allMatch(BuildResult::upToDate);
    }

    private Path copyExample() throws Exception {
        Path app = Files.createDirectories(tmp.resolve("helloworld"));
        for (String f : new String[] {"Kraftfile", "Makefile.uk", "hello.c"}) {
            Files.copy(EXAMPLE.resolve(f), app.resolve(f));
        }
        return app;
    }
}
