package io.jkraft.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jkraft.common.Architecture;
import io.jkraft.common.Platform;
import io.jkraft.common.UserException;
import io.jkraft.kraftfile.Component;
import io.jkraft.kraftfile.Kraftfile;
import io.jkraft.kraftfile.Target;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TargetSelectorTest {
    static final Target QEMU_X86 = new Target(null, Platform.QEMU, Architecture.X86_64, null, Map.of());
    static final Target QEMU_ARM = new Target(null, Platform.QEMU, Architecture.ARM64, null, Map.of());
    static final Target FC_X86 = new Target("fast", Platform.FC, Architecture.X86_64, null, Map.of());

    static Kraftfile kraftfile(List<Target> targets, Map<String, Component> libs, Component core) {
        return new Kraftfile(Path.of("/p/Kraftfile"), "v0.6", "app", ".unikraft/build", core, null, null, null,
                List.of(), Map.of(), new LinkedHashMap<>(libs), targets, List.of(), Map.of(), Map.of());
    }

    static BuildRequest request(String plat, String arch, List<String> targets) {
        return new BuildRequest(Path.of("/p"), null, plat == null ? null : Platform.parse(plat),
                arch == null ? null : Architecture.parse(arch), targets, false, 2, false, false, false, Map.of(), null);
    }

    private final Kraftfile three = kraftfile(List.of(QEMU_X86, QEMU_ARM, FC_X86), Map.of(), null);

    @Test
    void selectNoFlagsBuildsEveryTarget() {
        assertThat(TargetSelector.select(three, request(null, null, List.of()))).containsExactly(QEMU_X86, QEMU_ARM, FC_X86);
    }

    @Test
    void selectFiltersByPlatAndArchWithAliases() {
        assertThat(TargetSelector.select(three, request("kvm", "aarch64", List.of()))).containsExactly(QEMU_ARM);
        assertThat(TargetSelector.select(three, request(null, "amd64", List.of()))).containsExactly(QEMU_X86, FC_X86);
    }

    @Test
    void selectByNameOrPlatArch() {
        assertThat(TargetSelector.select(three, request(null, null, List.of("fast", "qemu/arm64"))))
                .containsExactly(QEMU_ARM, FC_X86);
    }

    @Test
    void selectUnknownTargetOrNoMatchNamesWhatExists() {
        assertThatThrownBy(() -> TargetSelector.select(three, request(null, null, List.of("xen/x86_64"))))
                .isInstanceOf(UserException.class).hasMessageContaining("xen/x86_64")
                .extracting(e -> ((UserException) e).hint()).asString().contains("qemu/x86_64", "fast (fc/x86_64)");
        assertThatThrownBy(() -> TargetSelector.select(three, request("xen", null, List.of())))
                .isInstanceOf(UserException.class).hasMessageContaining("--plat xen");
        assertThatThrownBy(() -> TargetSelector.select(three, request("vmware", null, List.of())))
                .isInstanceOf(UserException.class).hasMessageContaining("unknown platform 'vmware'");
    }

    @Test
    void selectNoTargetsDeclaredUsesPlatAndArchFromTheCommandLine() {
        Kraftfile none = kraftfile(List.of(), Map.of(), null);
        assertThat(TargetSelector.select(none, request("qemu", "arm64", List.of())))
                .containsExactly(new Target(null, Platform.QEMU, Architecture.ARM64, null, Map.of()));
        assertThatThrownBy(() -> TargetSelector.select(none, request("qemu", null, List.of())))
                .isInstanceOf(UserException.class).hasMessageContaining("declares no targets");
    }
}
