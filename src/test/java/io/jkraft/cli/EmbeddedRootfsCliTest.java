package io.jkraft.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jkraft.pkg.oci.Descriptor;
import io.jkraft.pkg.oci.ImagePacker;
import io.jkraft.pkg.oci.OciLayout;
import io.jkraft.testing.FixtureRepos;
import io.jkraft.testing.QemuBoot;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * A rootfs through the commands: `build --rootfs`, `run` and `pkg` of a project whose kernel embeds its rootfs
 * (no {@code -initrd} for QEMU, no initrd layer in the image), against one that does not (both), and Ctrl-C on
 * a build of an app without a Makefile.uk, which leaves none behind.
 */
@Tag("qemu")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EmbeddedRootfsCliTest {
    /** Prints what the core printed of the embedded initrd, then idles, so that QEMU's argv can be read. */
    private static final String SPIN_C = """
            #include <stdio.h>

            int main(int argc, char *argv[])
            {
            	printf("spinning\\n");
            	for (;;)
            		__asm__ volatile("" ::: "memory");
            	return 0;
            }
            """;
    private static final String EMBEDS = """
                CONFIG_LIBVFSCORE_AUTOMOUNT_CI: 'y'
                CONFIG_LIBVFSCORE_AUTOMOUNT_CI_EINITRD: 'y'
            """;

    private FixtureRepos repos;
    private Path tmp;
    private MachineCli cli;

    @BeforeAll
    void fixtures(@TempDir Path shared) throws Exception {
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
        cli.ok("rm", "--all");
        cli.cleanUp();
    }

    private Path app(String name, boolean embeds) throws Exception {
        Path app = Files.createDirectories(tmp.resolve(name));
        Files.writeString(app.resolve("spin.c"), SPIN_C);
        Files.writeString(app.resolve("Makefile.uk"), "$(eval $(call addlib,appspin))\nAPPSPIN_SRCS-y += $(APPSPIN_BASE)/spin.c\n");
        Files.writeString(app.resolve("Kraftfile"), """
                spec: v0.6
                name: %s
                unikraft:
                  version: stable
                  kconfig:
                    CONFIG_LIBVFSCORE: 'y'
                %s
                rootfs: ./rootfs
                targets: [qemu/x86_64]
                """.formatted(name, embeds ? EMBEDS.stripTrailing() : ""));
        Files.createDirectories(app.resolve("rootfs"));
        Files.writeString(app.resolve("rootfs/motd"), "motd of " + name + "\n");
        return app;
    }

    @Test
    void runPassesNoInitrdForAKernelThatEmbedsItsRootfsAndOneForAKernelThatDoesNot() throws Exception {
        Path embedded = app("embedded", true);
        Path separate = app("separate", false);

        cli.ok("run", "-W", "-d", "-n", "emb", embedded.toString());
        cli.ok("run", "-W", "-d", "-n", "sep", separate.toString());

        MachineCli.await("the embedded guest to spin", () -> cli.ok("logs", "emb").console().contains("spinning"));
        assertThat(cli.ok("logs", "emb").console()).contains("einitrd: ./motd: motd of embedded");
        List<String> emb = cli.qemuOf(cli.machine("emb")).getFirst().argv();
        assertThat(emb).as("the rootfs is in the kernel").doesNotContain("-initrd");
        assertThat(String.join(" ", emb)).doesNotContain("initrd0");
        assertThat(cli.machine("emb").get("initrd").isNull()).isTrue();

        MachineCli.await("the other guest to spin", () -> cli.ok("logs", "sep").console().contains("spinning"));
        assertThat(cli.ok("logs", "sep").console()).contains("initrd: ", "einitrd: none");
        assertThat(cli.qemuOf(cli.machine("sep")).getFirst().argv()).contains("-initrd");
    }

    @Test
    void buildRootfsFlagIsEmbeddedAndPkgPacksNoInitrdBesidesIt() throws Exception {
        Path app = app("embedded", true);
        Path other = Files.createDirectories(tmp.resolve("other"));
        Files.writeString(other.resolve("motd"), "motd from --rootfs\n");

        MachineCli.Result built = cli.ok("build", "--rootfs", other.toString(), "-o", "json", app.toString());
        JsonNode result = new ObjectMapper().readTree(built.out()).get(0);
        Path cpio = app.resolve(".unikraft/build/initramfs-x86_64.cpio");
        assertThat(result.get("embeddedInitrd").asText()).isEqualTo(cpio.toString());
        assertThat(Files.readString(cpio, java.nio.charset.StandardCharsets.ISO_8859_1)).contains("motd from --rootfs");

        cli.ok("pkg", "-n", "emb:1", app.toString());
        cli.ok("pkg", "-n", "sep:1", app("separate", false).toString());
        assertThat(layerPaths("unikraft.org/emb:1")).containsExactly(ImagePacker.KERNEL_PATH);
        assertThat(layerPaths("unikraft.org/sep:1")).contains(ImagePacker.INITRD_PATH);

        cli.ok("run", "-W", "-d", "-n", "img", "emb:1");
        MachineCli.await("the image's guest to spin", () -> cli.ok("logs", "img").console().contains("spinning"));
        assertThat(cli.ok("logs", "img").console()).as("pkg built it from the Kraftfile's rootfs again")
                .contains("einitrd: ./motd: motd of embedded");
        assertThat(cli.qemuOf(cli.machine("img")).getFirst().argv()).doesNotContain("-initrd");
    }

    private static boolean fail(Child build) throws Exception {
        throw new AssertionError("the build ended: " + build.err());
    }

    /** The files of an image's layers, by their annotation. */
    private List<String> layerPaths(String reference) {
        OciLayout layout = OciLayout.open(tmp.resolve("data").resolve("jkraft").resolve("oci"));
        Descriptor top = layout.list().stream()
                .filter(d -> reference.equals(d.annotations().get(OciLayout.REF_NAME))).findFirst().orElseThrow();
        return layout.manifestsOf(top).stream().flatMap(m -> layout.readManifest(m).layers().stream())
                .map(l -> l.annotations().getOrDefault(ImagePacker.ANNOTATION_KERNEL_PATH,
                        l.annotations().getOrDefault(ImagePacker.ANNOTATION_INITRD_PATH, "?")))
                .toList();
    }

    @Test
    void ctrlCOnABuildOfAnAppWithoutMakefileLeavesNoneBehind() throws Exception {
        Path lib = Files.createDirectories(tmp.resolve("lib-slow"));
        // make reads this while it builds (not while it configures): the build is stopped in there
        Files.writeString(lib.resolve("Makefile.uk"), "$(eval $(call addlib,libslow))\n$(shell sleep 60)\n");
        Path app = Files.createDirectories(tmp.resolve("app"));
        Files.writeString(app.resolve("Kraftfile"), """
                spec: v0.6
                name: app
                unikraft: stable
                libraries:
                  slow: %s
                targets: [qemu/x86_64]
                """.formatted(lib));

        Child build = cli.start("build", app.toString());
        MachineCli.await("make to read the library's Makefile.uk", () -> build.hasExited() ? fail(build)
                : ProcessHandle.of(build.pid()).orElseThrow().descendants()
                        .anyMatch(p -> p.info().command().orElse("").endsWith("/sleep")));
        assertThat(app.resolve("Makefile.uk")).as("supplied while make runs").exists();
        List<ProcessHandle> make = ProcessHandle.of(build.pid()).orElseThrow().descendants().toList();

        build.signal("INT");
        assertThat(build.awaitExit()).isNotZero();
        make.forEach(ProcessHandle::destroyForcibly);

        assertThat(app.resolve("Makefile.uk")).doesNotExist();
        assertThat(Map.of("left", Files.list(app).map(p -> p.getFileName().toString()).sorted().toList()))
                .containsEntry("left", List.of(".config.app_qemu-x86_64", ".unikraft", "Kraftfile"));
    }
}
