package io.jkraft.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fixture core honours the make interface jkraft drives: Kconfig, build, progress, errors, boot. */
class FixtureCoreTest {

    @TempDir
    Path tmp;

    private FixtureMake configured(String defconfig) throws Exception {
        FixtureMake make = FixtureMake.forApp(FixtureRepos.coreDir(), FixtureApp.create(tmp.resolve("hello"), null));
        Path file = tmp.resolve("defconfig");
        Files.writeString(file, defconfig);
        FixtureMake.Result result = make.defconfig(file);
        assertThat(result.exitCode()).as(result.output()).isZero();
        return make;
    }

    private static FixtureMake.Result build(FixtureMake make, String... args) throws Exception {
        FixtureMake.Result result = make.run(args);
        assertThat(result.exitCode()).as(result.output()).isZero();
        return result;
    }

    @Test
    void defconfigDropsChildWithoutParentAndResetsOutOfRangeNumbers() throws Exception {
        FixtureMake make = configured("""
                CONFIG_PLAT_KVM=y
                CONFIG_FIXTURE_CHILD=y
                CONFIG_FIXTURE_NUM=500
                CONFIG_FIXTURE_MESSAGE="hi there"
                CONFIG_NO_SUCH_SYMBOL=y
                """);

        String config = Files.readString(make.config());
        assertThat(config).doesNotContain("FIXTURE_CHILD").doesNotContain("NO_SUCH_SYMBOL")
                .contains("# CONFIG_FIXTURE_PARENT is not set\n")
                .contains("CONFIG_FIXTURE_NUM=42\n")
                .contains("CONFIG_FIXTURE_MESSAGE=\"hi there\"\n")
                .contains("CONFIG_ARCH_X86_64=y\n", "# CONFIG_ARCH_ARM_64 is not set\n")
                .contains("CONFIG_PLAT_KVM=y\n", "CONFIG_KVM_VMM_QEMU=y\n")
                .contains("CONFIG_UK_NAME=\"hello\"\n");
    }

    @Test
    void defconfigKeepsChildWithParentAndHonoursChoicesAndSelect() throws Exception {
        FixtureMake make = configured("""
                CONFIG_ARCH_ARM_64=y
                CONFIG_PLAT_KVM=y
                CONFIG_KVM_VMM_FIRECRACKER=y
                CONFIG_FIXTURE_SELECTOR=y
                CONFIG_FIXTURE_CHILD=y
                CONFIG_FIXTURE_NUM=100
                CONFIG_UK_NAME="other"
                """);

        assertThat(Files.readString(make.config()))
                .contains("CONFIG_ARCH_ARM_64=y\n", "# CONFIG_ARCH_X86_64 is not set\n", "CONFIG_UK_ARCH=\"arm64\"\n")
                .contains("CONFIG_KVM_VMM_FIRECRACKER=y\n", "# CONFIG_KVM_VMM_QEMU is not set\n")
                .contains("CONFIG_FIXTURE_PARENT=y\n", "CONFIG_FIXTURE_CHILD=y\n", "CONFIG_FIXTURE_NUM=100\n")
                .contains("CONFIG_UK_NAME=\"other\"\n")
                .doesNotContain("PLAT_XEN");
    }

    @Test
    void allBuildsImageAndDebugImageWithProgressLines() throws Exception {
        FixtureMake make = configured("CONFIG_PLAT_KVM=y\n");

        FixtureMake.Result result = build(make, "-j4");

        assertThat(result.lines()).contains("  CC      apphello: hello.o", "  LD      hello_qemu-x86_64.dbg");
        assertThat(result.progress("CC")).contains("libukboot: boot.o", "libnolibc: stdio.o");
        assertThat(result.progress("AS")).containsExactly("libkvmplat: entry.o");
        Path image = make.image("hello", "qemu", "x86_64");
        byte[] debug = Files.readAllBytes(image.resolveSibling(image.getFileName() + ".dbg"));
        byte[] stripped = Files.readAllBytes(image);
        assertThat(new String(debug, 0, 4, StandardCharsets.ISO_8859_1)).isEqualTo("\u007fELF");
        assertThat(new String(debug, StandardCharsets.ISO_8859_1)).contains("fixture_boot", ".symtab");
        assertThat(new String(stripped, StandardCharsets.ISO_8859_1)).doesNotContain(".symtab");
        assertThat(make.buildDir().resolve("include/uk/_config.h")).content().contains("#define CONFIG_PLAT_KVM 1");
    }

    @Test
    void secondBuildDoesNothing() throws Exception {
        FixtureMake make = configured("CONFIG_PLAT_KVM=y\n");
        build(make);

        FixtureMake.Result again = build(make);

        assertThat(again.progress("CC")).isEmpty();
        assertThat(again.progress("LD")).isEmpty();
    }

    @Test
    void changedSourceRebuildsOnlyItsObjectAndRelinks() throws Exception {
        FixtureMake make = configured("CONFIG_PLAT_KVM=y\n");
        build(make);
        Path source = make.app().resolve(FixtureApp.SOURCE);
        Files.writeString(source, Files.readString(source) + "\n");
        Files.setLastModifiedTime(source, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 2000));

        FixtureMake.Result again = build(make);

        assertThat(again.progress("CC")).containsExactly("apphello: hello.o");
        assertThat(again.progress("LD")).containsExactly("hello_qemu-x86_64.dbg");
    }

    @Test
    void compileErrorFailsWithGccLocation() throws Exception {
        FixtureMake make = configured("CONFIG_PLAT_KVM=y\n");
        Path source = FixtureApp.breakSource(make.app());

        FixtureMake.Result result = make.run();

        assertThat(result.exitCode()).isNotZero();
        assertThat(result.output()).containsPattern(
                java.util.regex.Pattern.quote(source.toString()) + ":" + FixtureApp.BROKEN_LINE + ":\\d+: error: ");
    }

    @Test
    void allWithoutConfigurationFailsClearly() throws Exception {
        FixtureMake make = FixtureMake.forApp(FixtureRepos.coreDir(), FixtureApp.create(tmp.resolve("hello"), null));

        FixtureMake.Result result = make.run("all");

        assertThat(result.exitCode()).isNotZero();
        assertThat(result.output()).contains("No configuration at " + make.config(), "make defconfig");
    }

    @Test
    void printVersionAndCleanGoals() throws Exception {
        FixtureMake make = configured("CONFIG_PLAT_KVM=y\n");
        assertThat(build(make, "-s", "print-version").output().strip()).isEqualTo(FixtureRepos.VERSION);
        build(make);

        build(make, "clean");
        assertThat(make.image("hello", "qemu", "x86_64")).doesNotExist();
        assertThat(make.config()).exists();
        build(make, "properclean");
        assertThat(make.buildDir()).doesNotExist();
        assertThat(make.run("menuconfig").exitCode()).isNotZero();
    }

    @Tag("qemu")
    @Test
    void bootsOnX86PrintingBannerCommandLineConfigAndArguments() throws Exception {
        assumeTrue(QemuBoot.available("x86_64"), () -> QemuBoot.unavailableReason("x86_64"));
        FixtureMake make = configured("CONFIG_PLAT_KVM=y\nCONFIG_FIXTURE_NUM=7\nCONFIG_FIXTURE_MESSAGE=\"hi\"\n");
        build(make, "-j4");

        QemuBoot.Result boot = QemuBoot.boot("x86_64", make.image("hello", "qemu", "x86_64"),
                "loglevel=3 -- a \"b c\"", Duration.ofSeconds(60));

        assertThat(boot.timedOut()).as(boot.output()).isFalse();
        assertThat(boot.exitCode()).as(boot.output()).isZero();
        assertThat(boot.lines()).contains("fixture-core 0.17.0 booting", "core-revision: release",
                        "config: CONFIG_FIXTURE_NUM=7", "config: CONFIG_FIXTURE_MESSAGE=hi")
                .containsSubsequence(FixtureApp.GREETING, "argv[1]: a", "argv[2]: b c", "main returned 0")
                .doesNotContain("argv[3]: c");
        assertThat(boot.output()).containsPattern("cmdline: \\S*hello_qemu-x86_64 loglevel=3 -- a \"b c\"\n");

        // The kernel's path is the program name; a "--" right after it is no stop sequence.
        QemuBoot.Result bare = QemuBoot.boot("x86_64", make.image("hello", "qemu", "x86_64"), "-- a",
                Duration.ofSeconds(60));
        assertThat(bare.exitCode()).as(bare.output()).isZero();
        assertThat(bare.lines()).containsSubsequence(FixtureApp.GREETING, "argv[1]: --", "argv[2]: a",
                "main returned 0");
    }

    @Tag("qemu")
    @Test
    void bootsOnArm64WithTheCommandLineFromTheDeviceTree() throws Exception {
        assumeTrue(QemuBoot.available("arm64"), () -> QemuBoot.unavailableReason("arm64"));
        FixtureMake make = configured("CONFIG_ARCH_ARM_64=y\nCONFIG_PLAT_KVM=y\n");
        build(make, "-j4");
        Path image = make.image("hello", "qemu", "arm64");

        // As on x86, the first word is the program name and the words before "--" are library parameters.
        QemuBoot.Result boot = QemuBoot.boot("arm64", image, "prog loglevel=3 -- one \"two three\"",
                Duration.ofSeconds(60));

        assertThat(boot.exitCode()).as(boot.output()).isZero();
        assertThat(boot.lines()).contains("fixture-core 0.17.0 booting", "cmdline: prog loglevel=3 -- one \"two three\"")
                .containsSubsequence(FixtureApp.GREETING, "argv[1]: one", "argv[2]: two three", "main returned 0");

        QemuBoot.Result plain = QemuBoot.boot("arm64", image, "prog a b", Duration.ofSeconds(60));
        assertThat(plain.exitCode()).as(plain.output()).isZero();
        assertThat(plain.lines()).containsSubsequence(FixtureApp.GREETING, "argv[1]: a", "argv[2]: b", "main returned 0")
                .doesNotContain("argv[1]: prog", "argv[3]: b");
    }

    @Tag("qemu")
    @Test
    void externalLibraryIsBuiltAndLinkedWhenEnabled() throws Exception {
        assumeTrue(QemuBoot.available("x86_64"), () -> QemuBoot.unavailableReason("x86_64"));
        FixtureMake make = FixtureMake.forApp(FixtureRepos.coreDir(), FixtureApp.create(tmp.resolve("hello"), null))
                .withLibs(FixtureRepos.libraryDir("fixturelib"));
        Path defconfig = Files.writeString(tmp.resolve("defconfig"),
                "CONFIG_PLAT_KVM=y\nCONFIG_LIBFIXTURELIB=y\nCONFIG_LIBFIXTURELIB_GREETING=\"howdy\"\n");
        assertThat(make.defconfig(defconfig).exitCode()).isZero();

        FixtureMake.Result result = build(make, "N=custom");
        assertThat(result.progress("CC")).contains("libfixturelib: fixturelib.o");

        QemuBoot.Result boot = QemuBoot.boot("x86_64", make.image("custom", "qemu", "x86_64"), null,
                Duration.ofSeconds(60));
        assertThat(boot.lines()).contains("fixturelib says: howdy", "main returned 0");
    }

    @Test
    void buildWithoutLibraryEnabledLeavesItOut() throws IOException, InterruptedException {
        FixtureMake make = FixtureMake.forApp(FixtureRepos.coreDir(), FixtureApp.create(tmp.resolve("hello"), null))
                .withLibs(FixtureRepos.libraryDir("fixturelib"));
        Path defconfig = Files.writeString(tmp.resolve("defconfig"), "CONFIG_PLAT_KVM=y\n");
        assertThat(make.defconfig(defconfig).exitCode()).isZero();
        assertThat(Files.readString(make.config())).contains("# CONFIG_LIBFIXTURELIB is not set")
                .doesNotContain("LIBFIXTURELIB_GREETING");

        assertThat(make.run("-s", "print-libs").output().strip())
                .isEqualTo("libnolibc libukboot apphello libkvmplat");
    }
}
