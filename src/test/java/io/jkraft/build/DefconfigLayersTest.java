package io.jkraft.build;

import static org.assertj.core.api.Assertions.assertThat;

import io.jkraft.common.Architecture;
import io.jkraft.common.Platform;
import io.jkraft.kraftfile.Component;
import io.jkraft.kraftfile.Kraftfile;
import io.jkraft.kraftfile.Target;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DefconfigLayersTest {

    @Test
    void composeAppliesLayersInKraftsOrderLaterWinning() {
        Component core = new Component("unikraft", null, "stable",
                Map.of("CONFIG_LIBUKRANDOM", "n", "CONFIG_X", "core"));
        Map<String, Component> libs = Map.of("lwip", new Component("lwip", null, "stable", Map.of("CONFIG_X", "lib")));
        Target target = new Target(null, Platform.QEMU, Architecture.ARM64, null, Map.of("CONFIG_X", "target", "CONFIG_Y", "y"));
        Kraftfile kf = TargetSelectorTest.kraftfile(List.of(target), libs, core);

        Map<String, String> values = DefconfigLayers.compose(kf, target, Map.of("CONFIG_Y", "n")).asMap();

        assertThat(values).containsEntry("CONFIG_LIBUKRANDOM", "n")
                .containsEntry("CONFIG_LIBLWIP", "y")
                .containsEntry("CONFIG_ARCH_ARM_64", "y")
                .containsEntry("CONFIG_PLAT_KVM", "y").containsEntry("CONFIG_KVM_VMM_QEMU", "y")
                .containsEntry("CONFIG_X", "\"target\"")
                .containsEntry("CONFIG_Y", "n");
    }

    @Test
    void composePlatformSymbols() {
        Kraftfile kf = TargetSelectorTest.kraftfile(List.of(), Map.of(), null);
        assertThat(DefconfigLayers.compose(kf, new Target(null, Platform.FC, Architecture.X86_64, null, Map.of()), Map.of()).asMap())
                .containsEntry("CONFIG_KVM_VMM_FIRECRACKER", "y").containsEntry("CONFIG_ARCH_X86_64", "y");
        assertThat(DefconfigLayers.compose(kf, new Target(null, Platform.XEN, Architecture.ARM, null, Map.of()), Map.of()).asMap())
                .containsEntry("CONFIG_PLAT_XEN", "y").containsEntry("CONFIG_ARCH_ARM_32", "y")
                .doesNotContainKey("CONFIG_PLAT_KVM");
    }

    @Test
    void librarySymbolFollowsKraftsConvention() {
        assertThat(DefconfigLayers.librarySymbol("musl")).isEqualTo("CONFIG_LIBMUSL");
        assertThat(DefconfigLayers.librarySymbol("libcxx")).isEqualTo("CONFIG_LIBCXX");
        assertThat(DefconfigLayers.librarySymbol("compiler-rt")).isEqualTo("CONFIG_LIBCOMPILER_RT");
    }
}
