package io.jkraft.machine.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KernelCommandLineTest {

    @Test
    void plainWordsStayAndOthersAreQuotedWithEscapes() {
        assertThat(KernelCommandLine.quote("a.b=c/d:e")).isEqualTo("a.b=c/d:e");
        assertThat(KernelCommandLine.quote("two words")).isEqualTo("\"two words\"");
        assertThat(KernelCommandLine.quote("it's")).isEqualTo("\"it's\"");
        assertThat(KernelCommandLine.quote("say \"hi\"")).isEqualTo("\"say \\\"hi\\\"\"");
        assertThat(KernelCommandLine.quote("C:\\dir")).isEqualTo("\"C:\\\\dir\"");
        assertThat(KernelCommandLine.quote("tab\there")).isEqualTo("\"tab\there\"");
        assertThat(KernelCommandLine.quote("")).isEqualTo("\"\"");
    }

    @Test
    void appArgumentsAloneHaveNoStopSequence() {
        // Unikraft keeps a leading "--" as argv[1] when no library parameter precedes it.
        assertThat(KernelCommandLine.of(null, List.of(), Map.of(), List.of(), List.of("a", "b c")))
                .isEqualTo("a \"b c\"");
    }

    @Test
    void parametersThenStopSequenceThenArguments() {
        String line = KernelCommandLine.of(null, List.of("netdev.ip=10.0.2.15/24", "x.list=[ a b ]"),
                Map.of("B", "two words", "A", "1"), List.of("fs0:/data:9pfs:::mkmp"), List.of("--flag", "v"));

        assertThat(line).isEqualTo("netdev.ip=10.0.2.15/24 x.list=[ a b ] env.vars=[ \"A=1\" \"B=two words\" ]"
                + " vfs.fstab=[ \"fs0:/data:9pfs:::mkmp\" ] -- --flag v");
    }

    @Test
    void argv0ComesFirstAndIsQuotedWhenNeeded() {
        assertThat(KernelCommandLine.of("my kernel", List.of("k=v"), Map.of(), List.of(), List.of("x")))
                .isEqualTo("\"my kernel\" k=v -- x");
        assertThat(KernelCommandLine.of("hello", List.of(), Map.of(), List.of(), List.of())).isEqualTo("hello");
    }

    @Test
    void nothingToPassIsEmpty() {
        assertThat(KernelCommandLine.of(null, List.of(), Map.of(), List.of(), List.of())).isEmpty();
    }
}
