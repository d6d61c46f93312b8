package io.jkraft.kraftfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every error names file:line:column; these pin both the position and the wording. */
class KraftfileErrorTest {

    private static final Path FILE = Path.of("Kraftfile");

    private static KraftfileException error(String yaml) {
        return catchThrowableOfType(KraftfileException.class,
                () -> new KraftfileParser().parse(FILE, yaml, Map.of()));
    }

    private static void assertAt(KraftfileException e, int line, int column) {
        assertThat(e).as("expected a KraftfileException").isNotNull();
        assertThat(e.file()).isEqualTo(FILE);
        assertThat(e.line()).as("line of: %s", e.getMessage()).isEqualTo(line);
        assertThat(e.column()).as("column of: %s", e.getMessage()).isEqualTo(column);
        assertThat(e.getMessage()).startsWith("Kraftfile:" + line + ":" + column + ": ");
        assertThat(e.hint()).isNotBlank();
    }

    @Test
    void missingSpec() {
        KraftfileException e = error("name: app\ntargets: [qemu/x86_64]\n");
        assertAt(e, 1, 1);
        assertThat(e.getMessage())
                .isEqualTo("Kraftfile:1:1: missing spec version: found no 'spec' key, expected spec: v0.6 (or v0.5)");
        assertThat(e.hint()).contains("spec: v0.6");
    }

    @Test
    void unsupportedSpec() {
        KraftfileException e = error("name: app\nspec: v0.7\n");
        assertAt(e, 2, 7);
        assertThat(e.getMessage())
                .isEqualTo("Kraftfile:2:7: unsupported spec version: found 'v0.7', expected v0.5 or v0.6");
        assertThat(e.found()).isEqualTo("'v0.7'");
        assertThat(e.expected()).isEqualTo("v0.5 or v0.6");
    }

    @Test
    void specGivenTwice() {
        assertAt(error("spec: v0.6\nspecification: v0.6\n"), 2, 1);
    }

    @Test
    void wrongTypes() {
        KraftfileException targets = error("spec: v0.6\ntargets: 5\n");
        assertAt(targets, 2, 10);
        assertThat(targets.getMessage()).isEqualTo(
                "Kraftfile:2:10: 'targets' has the wrong type: found number '5', expected a list of targets such as qemu/x86_64");

        KraftfileException name = error("spec: v0.6\nname:\n  - a\n");
        assertAt(name, 3, 3);
        assertThat(name.getMessage()).isEqualTo("Kraftfile:3:3: 'name' has the wrong type: found list, expected a string");

        assertAt(error("spec: v0.6\nlibraries: [musl]\n"), 2, 12);
        assertAt(error("spec: v0.6\nenv: yes\n"), 2, 6);
        assertAt(error("spec: v0.6\nunikraft:\n  kconfig: CONFIG_X=y\n"), 3, 12);
        assertAt(error("spec: v0.6\nlibraries:\n  musl: true\n"), 3, 9);
        assertAt(error("spec: v0.6\ncmd: {a: b}\n"), 2, 6);
        assertAt(error("[qemu/x86_64]\n"), 1, 1);
    }

    @Test
    void unknownPlatformAndArchitecture() {
        KraftfileException plat = error("spec: v0.6\ntargets:\n- fc/x86_64\n- qemux/x86_64\n");
        assertAt(plat, 4, 3);
        assertThat(plat.getMessage())
                .isEqualTo("Kraftfile:4:3: unknown platform: found 'qemux', expected one of qemu, fc, xen");
        assertThat(plat.hint()).contains("firecracker=fc", "kvm=qemu");

        // Points at the architecture inside "plat/arch".
        KraftfileException arch = error("spec: v0.6\ntargets: [qemu/riscv64]\n");
        assertAt(arch, 2, 16);
        assertThat(arch.getMessage())
                .isEqualTo("Kraftfile:2:16: unknown architecture: found 'riscv64', expected one of x86_64, arm64, arm");

        assertAt(error("spec: v0.6\ntargets:\n  - 'qemu/X86_64'\n"), 3, 11);
        assertAt(error("spec: v0.6\ntargets:\n- platform: qemu\n  architecture: mips\n"), 4, 17);
        assertThat(error("spec: v0.6\ntargets: [QEMU/x86_64]\n").hint()).contains("case-sensitive");
    }

    @Test
    void incompleteTargets() {
        KraftfileException noSlash = error("spec: v0.6\ntargets:\n- qemu\n");
        assertAt(noSlash, 3, 3);
        assertThat(noSlash.getMessage()).isEqualTo("Kraftfile:3:3: a target needs a platform and an architecture: "
                + "found 'qemu', expected platform/architecture such as qemu/x86_64");
        assertAt(error("spec: v0.6\ntargets:\n- platform: qemu\n"), 3, 3);
        assertAt(error("spec: v0.6\ntargets:\n- platform: qemu\n  plat: fc\n  arch: arm64\n"), 4, 3);
        assertAt(error("spec: v0.6\ntargets:\n- platform: qemu\n  arch: arm64\n  os: linux\n"), 5, 3);
    }

    @Test
    void unknownKeySuggestsTheClosest() {
        KraftfileException e = error("spec: v0.6\nname: app\ntaregts:\n- qemu/x86_64\n");
        assertAt(e, 3, 1);
        assertThat(e.getMessage()).isEqualTo("Kraftfile:3:1: unknown key: found 'taregts', expected one of "
                + "spec, specification, name, outdir, unikraft, template, runtime, rootfs, cmd, env, libraries, "
                + "targets, volumes, labels");
        assertThat(e.hint()).startsWith("did you mean 'targets'?");

        KraftfileException nested = error("spec: v0.6\nunikraft:\n  version: stable\n  kconfg:\n    X: y\n");
        assertAt(nested, 4, 3);
        assertThat(nested.getMessage()).startsWith("Kraftfile:4:3: unknown key in 'unikraft': found 'kconfg', "
                + "expected one of source, version, kconfig");
        assertThat(nested.hint()).startsWith("did you mean 'kconfig'?");
    }

    @Test
    void badYaml() {
        KraftfileException e = error("spec: v0.6\ntargets:\n  - qemu/x86_64\n - fc/x86_64\n");
        assertAt(e, 4, 2);
        assertThat(e.getMessage()).startsWith("Kraftfile:4:2: invalid YAML (while parsing a block mapping): expected <block end>");
        assertThat(e.found()).isNull();
        assertThat(e.getCause()).isNotNull();

        assertAt(error("spec: v0.6\nname: a: b\n"), 2, 8);
        assertAt(error("spec: v0.6\nname: \"open\n"), 3, 1);
        assertAt(error("spec: v0.6\nunikraft: *nowhere\n"), 2, 11);
        assertAt(error("spec: v0.6\n---\nspec: v0.6\n"), 2, 1);
    }

    @Test
    void emptyFile() {
        for (String empty : new String[] {"", "\n\n", "# only a comment\n"}) {
            KraftfileException e = error(empty);
            assertAt(e, 1, 1);
            assertThat(e.getMessage()).isEqualTo(
                    "Kraftfile:1:1: the Kraftfile is empty: found no content, expected a mapping with at least 'spec: v0.6'");
        }
    }

    @Test
    void duplicateKeys() {
        KraftfileException top = error("spec: v0.6\nname: a\ntargets: []\nname: b\n");
        assertAt(top, 4, 1);
        assertThat(top.getMessage())
                .isEqualTo("Kraftfile:4:1: duplicate key 'name': found 'name' a second time, expected each key once per mapping");
        assertThat(top.hint()).contains("line 2");

        assertAt(error("spec: v0.6\nlibraries:\n  musl: stable\n  lwip: stable\n  musl: staging\n"), 5, 3);
    }

    @Test
    void kconfigEntries() {
        KraftfileException e = error("spec: v0.6\nunikraft:\n  kconfig:\n  - CONFIG_A=y\n  - CONFIG_B\n");
        assertAt(e, 5, 5);
        assertThat(e.getMessage()).isEqualTo("Kraftfile:5:5: a 'unikraft' kconfig entry needs a name and a value: "
                + "found 'CONFIG_B', expected CONFIG_NAME=value");
        assertAt(error("spec: v0.6\nunikraft:\n  kconfig:\n  - =y\n"), 4, 5);
        assertAt(error("spec: v0.6\nunikraft:\n  kconfig:\n    CONFIG_A:\n"), 4, 14);
        assertAt(error("spec: v0.6\ntargets:\n- platform: qemu\n  arch: x86_64\n  kconfig:\n    - X\n"), 6, 7);
    }

    @Test
    void interpolationAndQuotingErrors() {
        KraftfileException e = error("spec: v0.6\nname: ${APP\n");
        assertAt(e, 2, 7);
        assertThat(e.getMessage()).isEqualTo("Kraftfile:2:7: invalid variable substitution: found '${APP', "
                + "expected $NAME, ${NAME}, ${NAME:-default} or $$ for a literal $");
        assertAt(error("spec: v0.6\nrootfs: ${NEEDED:?set it}\n"), 2, 9);
        assertThat(error("spec: v0.6\nrootfs: ${NEEDED:?set it}\n").problem())
                .isEqualTo("required variable NEEDED is not set (set it)");
        assertAt(error("spec: v0.6\ncmd: echo \"unclosed\n"), 2, 6);
    }

    @Test
    void badVolumesAndEnvAndMerges() {
        assertAt(error("spec: v0.6\nvolumes:\n- destination: /data\n"), 3, 3);
        assertAt(error("spec: v0.6\nvolumes:\n- source: ./a\n  mode: ro\n"), 4, 3);
        assertAt(error("spec: v0.6\nenv:\n- =value\n"), 3, 3);
        assertAt(error("spec: v0.6\nlabels:\n  <<: 5\n"), 3, 7);
        assertAt(error("spec: v0.6\nx-a: &a\n  k: [*a]\n"), 2, 6);
    }
}
