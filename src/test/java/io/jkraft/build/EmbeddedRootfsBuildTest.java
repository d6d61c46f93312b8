package io.jkraft.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jkraft.common.Invocation;
import io.jkraft.common.UserException;
import io.jkraft.config.JkraftConfig;
import io.jkraft.config.JkraftPaths;
import io.jkraft.testing.FixtureApp;
import io.jkraft.testing.FixtureRepos;
import io.jkraft.testing.QemuBoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rootfs embedded in the kernel (the fixture core's lib/vfscore links the cpio at
 * CONFIG_LIBVFSCORE_AUTOMOUNT_EINITRD_PATH and prints its files at boot), apps without a Makefile.uk,
 * and libraries' kconfig, built with the fixture core from git repositories the test creates.
 */
class EmbeddedRootfsBuildTest {
    static final String EMBEDS = """
            spec: v0.6
            name: hello
            unikraft:
              version: stable
              kconfig:
                CONFIG_LIBVFSCORE: 'y'
                CONFIG_LIBVFSCORE_AUTOMOUNT_CI: 'y'
                CONFIG_LIBVFSCORE_AUTOMOUNT_CI_EINITRD: 'y'
            rootfs: ./rootfs
            targets: [qemu/x86_64]
            """;

    @TempDir
    Path tmp;

    Path app;
    RecordingListener listener;
    BuildService service;
    FixtureRepos repos;

    @BeforeEach
    void setUp() throws Exception {
        repos = FixtureRepos.create(tmp.resolve("mirror"));
        // make cannot take blanks in A=; a long path it can (the real core neither)
        app = tmp.resolve("an-app-with-a-rather-long-folder-name-".repeat(5) + "x");
        listener = new RecordingListener();
        JkraftPaths paths = new JkraftPaths(tmp.resolve("config"), tmp.resolve("data"), tmp.resolve("state"),
                tmp.resolve("cache"));
        service = new BuildService(new JkraftConfig(repos.base().toUri().toString()), paths, Invocation.ofThisProcess(),
                listener);
    }

    private static BuildRequest request(Path app) {
        return new BuildRequest(app, null, null, null, List.of(), false, 2, false, false, false, Map.of(), null);
    }

    private Path rootfs(String motd) throws Exception {
        Path rootfs = Files.createDirectories(app.resolve("rootfs/etc"));
        Files.writeString(rootfs.resolve("motd"), motd + "\n");
        return rootfs.getParent();
    }

    @Tag("qemu")
    @Test
    void rootfsIsPackedWhereTheKernelEmbedsItFromAndTheKernelReadsIt() throws Exception {
        FixtureApp.create(app, EMBEDS);
        rootfs("hello from the embedded rootfs");

        BuildResult r = service.build(request(app)).getFirst();

        Path cpio = app.resolve(".unikraft/build/initramfs-x86_64.cpio");
        assertThat(r.embeddedInitrd()).as("kraft's default path").isEqualTo(cpio);
        assertThat(r.embedsInitrd()).isTrue();
        assertThat(cpio).isRegularFile();
        assertThat(app.resolve(".config.hello_qemu-x86_64")).content()
                .contains("CONFIG_LIBVFSCORE_AUTOMOUNT_EINITRD=y", "CONFIG_LIBVFSCORE_AUTOMOUNT_EINITRD_PATH=\"" + cpio + "\"");
        assumeTrue(QemuBoot.available("x86_64"), QemuBoot.unavailableReason("x86_64"));
        String console = QemuBoot.boot("x86_64", r.kernel(), null, Duration.ofSeconds(30)).output();
        assertThat(console).contains("einitrd: " + Files.size(cpio) + " bytes", "einitrd: ./etc/motd: hello from the embedded rootfs",
                FixtureApp.GREETING);
    }

    @Test
    void aChangedRootfsMakesTheBuildOutOfDateAndAnUnchangedOneLeavesTheArchiveAlone() throws Exception {
        FixtureApp.create(app, EMBEDS);
        Path rootfs = rootfs("one");
        Path motd = rootfs.resolve("etc/motd");
        BuildResult first = service.build(request(app)).getFirst();
        Path cpio = first.embeddedInitrd();
        FileTime packed = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(cpio, packed);

        BuildResult again = service.build(request(app)).getFirst();
        assertThat(again.upToDate()).isTrue();
        assertThat(again.embeddedInitrd()).isEqualTo(cpio);

        listener.makeLines.clear();
        BuildResult forced = service.build(request(app).withRootfs(null)).getFirst();
        assertThat(forced.upToDate()).isTrue();
        BuildRequest noCache = new BuildRequest(app, null, null, null, List.of(), false, 2, false, false, true, Map.of(), null);
        service.build(noCache);
        assertThat(Files.getLastModifiedTime(cpio)).as("same rootfs, same bytes: not written again").isEqualTo(packed);
        assertThat(listener.makeLines).as("so make does not assemble it again").noneMatch(l -> l.contains("einitrd_blob.o"));

        // The same size and time, other contents: only the archive's digest sees it.
        FileTime time = Files.getLastModifiedTime(motd);
        Files.writeString(motd, "two\n");
        Files.setLastModifiedTime(motd, time);
        assertOutOfDateAndRebuilt(cpio, "two");

        Files.setPosixFilePermissions(motd, PosixFilePermissions.fromString("rw-------"));
        assertOutOfDateAndRebuilt(cpio, "two");

        Files.move(motd, rootfs.resolve("etc/issue"));
        assertOutOfDateAndRebuilt(cpio, "two");
        assertThat(new String(Files.readAllBytes(cpio), java.nio.charset.StandardCharsets.ISO_8859_1))
                .contains("./etc/issue").doesNotContain("./etc/motd");
    }

    private void assertOutOfDateAndRebuilt(Path cpio, String content) throws Exception {
        listener.makeLines.clear();
        BuildResult r = service.build(request(app)).getFirst();
        assertThat(r.upToDate()).isFalse();
        assertThat(listener.makeLines).anyMatch(l -> l.contains("AS      libvfscore: einitrd_blob.o"));
        assertThat(new String(Files.readAllBytes(cpio), java.nio.charset.StandardCharsets.ISO_8859_1)).contains(content);
        assertThat(service.build(request(app)).getFirst().upToDate()).isTrue();
    }

    @Tag("qemu")
    @Test
    void rootfsFlagReplacesTheKraftfilesAndACpioFileIsEmbeddedAsItIs() throws Exception {
        FixtureApp.create(app, EMBEDS);
        rootfs("from the kraftfile");
        Path other = Files.createDirectories(tmp.resolve("other rootfs"));
        Files.writeString(other.resolve("flag.txt"), "from --rootfs\n");

        BuildResult r = service.build(request(app).withRootfs(other)).getFirst();

        String archive = new String(Files.readAllBytes(r.embeddedInitrd()), java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThat(archive).contains("./flag.txt", "from --rootfs").doesNotContain("from the kraftfile");
        Path cpio = tmp.resolve("given.cpio");
        Files.copy(r.embeddedInitrd(), cpio);
        assertThat(service.build(request(app)).getFirst().upToDate()).as("back to the Kraftfile's rootfs").isFalse();

        BuildResult fromCpio = service.build(request(app).withRootfs(cpio)).getFirst();
        assertThat(fromCpio.embeddedInitrd()).hasSameBinaryContentAs(cpio);
        assumeTrue(QemuBoot.available("x86_64"), QemuBoot.unavailableReason("x86_64"));
        assertThat(QemuBoot.boot("x86_64", fromCpio.kernel(), null, Duration.ofSeconds(30)).output())
                .contains("einitrd: ./flag.txt: from --rootfs");
    }

    @Test
    void aKernelThatEmbedsNothingTakesNoRootfsAndOneThatEmbedsWithoutARootfsSaysWhatIsMissing() throws Exception {
        FixtureApp.create(app, "spec: v0.6\nname: hello\nunikraft: stable\nrootfs: ./rootfs\ntargets: [qemu/x86_64]\n");
        rootfs("unused");
        BuildResult plain = service.build(request(app)).getFirst();
        assertThat(plain.embedsInitrd()).isFalse();
        assertThat(app.resolve(".unikraft/build/initramfs-x86_64.cpio")).doesNotExist();

        Files.writeString(app.resolve("Kraftfile"), EMBEDS.replace("rootfs: ./rootfs\n", ""));
        assertThatThrownBy(() -> service.build(request(app))).isInstanceOf(UserException.class)
                .hasMessageContaining("embeds the initrd " + app.resolve(".unikraft/build/initramfs-x86_64.cpio"))
                .hasMessageContaining("no rootfs").extracting(e -> ((UserException) e).hint()).asString()
                .contains("--rootfs");
    }

    @Test
    void anAppWithoutMakefileBuildsAndLeavesNoneBehindEvenWhenMakeFails() throws Exception {
        Path lib = Files.createDirectories(tmp.resolve("lib-greeter"));
        Files.writeString(lib.resolve("Makefile.uk"), """
                $(eval $(call addlib_s,libgreeter,$(CONFIG_LIBGREETER)))
                LIBGREETER_SRCS-y += $(LIBGREETER_BASE)/main.c
                """);
        Files.writeString(lib.resolve("Config.uk"), "config LIBGREETER\n\tbool \"greeter\"\n\tdefault n\n");
        Files.writeString(lib.resolve("main.c"), FixtureApp.HELLO_C);
        Files.createDirectories(app);
        Files.writeString(app.resolve("Kraftfile"), """
                spec: v0.6
                name: hello
                unikraft: stable
                libraries:
                  greeter: %s
                targets: [qemu/x86_64, qemu/arm64]
                """.formatted(lib));

        List<BuildResult> built = service.build(request(app));

        assertThat(built).allSatisfy(r -> assertThat(r.kernel()).isRegularFile());
        assertThat(app.resolve("Makefile.uk")).as("supplied while make ran, then removed").doesNotExist();
        assertThat(service.build(request(app))).allSatisfy(r -> assertThat(r.upToDate()).isTrue());

        Files.writeString(lib.resolve("main.c"), "int main(void) { return undeclared; }\n");
        assertThatThrownBy(() -> service.build(request(app))).isInstanceOf(BuildFailedException.class);
        assertThat(app.resolve("Makefile.uk")).as("not after a failure either").doesNotExist();
    }

    @Tag("qemu")
    @Test
    void aLibrarysKconfigInEitherFormReachesTheKernel() throws Exception {
        FixtureApp.create(app, """
                spec: v0.6
                name: hello
                unikraft: stable
                libraries:
                  fixturelib:
                    version: stable
                    kconfig:
                      CONFIG_FIXTURE_MESSAGE: "set by the library"
                targets: [qemu/x86_64]
                """);
        BuildResult r = service.build(request(app)).getFirst();
        assertThat(app.resolve(".config.hello_qemu-x86_64")).content()
                .contains("CONFIG_LIBFIXTURELIB=y", "CONFIG_FIXTURE_MESSAGE=\"set by the library\"");

        Files.writeString(app.resolve("Kraftfile"), """
                spec: v0.6
                name: hello
                unikraft: stable
                libraries:
                  fixturelib:
                    kconfig:
                      - CONFIG_FIXTURE_NUM=9
                targets: [qemu/x86_64]
                """);
        BuildResult listForm = service.build(request(app)).getFirst();
        assertThat(app.resolve(".config.hello_qemu-x86_64")).content().contains("CONFIG_FIXTURE_NUM=9", "CONFIG_LIBFIXTURELIB=y");
        assumeTrue(QemuBoot.available("x86_64"), QemuBoot.unavailableReason("x86_64"));
        assertThat(QemuBoot.boot("x86_64", listForm.kernel(), null, Duration.ofSeconds(30)).output())
                .contains("config: CONFIG_FIXTURE_NUM=9", "fixturelib says");
        assertThat(r.kernel()).isEqualTo(listForm.kernel());
    }
}
