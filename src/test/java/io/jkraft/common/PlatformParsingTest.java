package io.jkraft.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PlatformParsingTest {

    @ParameterizedTest
    @CsvSource({"qemu, QEMU", "kvm, QEMU", "fc, FC", "firecracker, FC", "xen, XEN"})
    void kraftsNamesAndAliasesParseToTheirPlatform(String name, Platform expected) {
        assertThat(Platform.parse(name)).isEqualTo(expected);
        assertThat(Platform.byName(name)).contains(expected);
    }

    @Test
    void aPlatformIsWrittenByKraftsNameInTargetNames() {
        assertThat(Platform.FC + "-" + Architecture.X86_64).isEqualTo("fc-x86_64");
        assertThat(Platform.QEMU.kraftName()).isEqualTo("qemu");
        assertThat(Platform.kraftNames()).containsExactly("qemu", "fc", "xen");
        assertThat(Platform.aliasTable()).isEqualTo("firecracker=fc, kvm=qemu");
    }

    @ParameterizedTest
    @ValueSource(strings = {"vmware", "QEMU", "", "hyperv"})
    void anythingElseIsOneErrorNamingWhatIsAccepted(String name) {
        assertThat(Platform.byName(name)).isEmpty();
        assertThatThrownBy(() -> Platform.parse(name)).isInstanceOf(UserException.class)
                .hasMessage("unknown platform '" + name + "'")
                .extracting(e -> ((UserException) e).hint()).asString()
                .isEqualTo("use one of qemu, fc, xen (aliases: kvm, firecracker)");
    }
}
