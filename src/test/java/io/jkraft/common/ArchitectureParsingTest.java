package io.jkraft.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ArchitectureParsingTest {

    @ParameterizedTest
    @CsvSource({"x86_64, X86_64", "amd64, X86_64", "arm64, ARM64", "aarch64, ARM64", "arm, ARM", "arm32, ARM"})
    void kraftsNamesAndAliasesParseToTheirArchitecture(String name, Architecture expected) {
        assertThat(Architecture.parse(name)).isEqualTo(expected);
        assertThat(Architecture.byName(name)).contains(expected);
    }

    @Test
    void anArchitectureIsWrittenByKraftsNameWherePeopleAndFilesReadIt() {
        assertThat(Architecture.X86_64.kraftName()).isEqualTo("x86_64");
        assertThat(Architecture.ARM64 + "/" + Architecture.ARM).isEqualTo("arm64/arm");
        assertThat(Architecture.kraftNames()).containsExactly("x86_64", "arm64", "arm");
        assertThat(Architecture.aliasTable()).isEqualTo("aarch64=arm64, amd64=x86_64, arm32=arm");
    }

    @ParameterizedTest
    @ValueSource(strings = {"riscv64", "X86_64", "AArch64", "", "x86-64"})
    void anythingElseIsOneErrorNamingWhatIsAccepted(String name) {
        assertThat(Architecture.byName(name)).isEmpty();
        assertThatThrownBy(() -> Architecture.parse(name)).isInstanceOf(UserException.class)
                .hasMessage("unknown architecture '" + name + "'")
                .extracting(e -> ((UserException) e).hint()).asString()
                .isEqualTo("use one of x86_64, arm64, arm (aliases: amd64, aarch64, arm32)");
    }

    @Test
    void theHostsArchitectureIsTheOneUnameNames() throws Exception {
        Process uname = new ProcessBuilder("uname", "-m").start();
        String machine = new String(uname.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(uname.waitFor()).isZero();
        Optional<Architecture> expected = switch (machine) {
            case "x86_64" -> Optional.of(Architecture.X86_64);
            case "aarch64", "arm64" -> Optional.of(Architecture.ARM64);
            default -> Optional.empty();
        };
        assertThat(Architecture.host()).as("uname -m says %s", machine).isEqualTo(expected);
    }

    @Test
    void theJvmsNamesForTheArchitecturesAreKnown() {
        assertThat(Architecture.ofJvmName("amd64")).contains(Architecture.X86_64);
        assertThat(Architecture.ofJvmName("x86_64")).contains(Architecture.X86_64);
        assertThat(Architecture.ofJvmName("aarch64")).contains(Architecture.ARM64);
        assertThat(Architecture.ofJvmName("arm")).contains(Architecture.ARM);
        assertThat(Architecture.ofJvmName("ppc64le")).isEmpty();
        assertThat(Architecture.ofJvmName(null)).isEmpty();
    }
}
