package io.jkraft.build;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MakeOutputParserTest {

    @Test
    void acceptCountsCompileStepsAndTracksTheLibrary() {
        MakeOutputParser p = new MakeOutputParser();
        assertThat(p.accept("  CC      libukboot: boot.o")).isTrue();
        assertThat(p.accept("  AS      libkvmplat: entry64.o")).isTrue();
        assertThat(p.accept("  LD      helloworld_qemu-x86_64.dbg")).isFalse();
        assertThat(p.accept("  OBJCOPY libukboot.o")).isFalse();
        assertThat(p.accept("make: Entering directory '/x'")).isFalse();
        assertThat(p.objects()).isEqualTo(2);
        assertThat(p.currentLibrary()).isEqualTo("libkvmplat");
    }

    @Test
    void firstErrorIsTheFirstCompilerErrorWithFileAndLine() {
        MakeOutputParser p = new MakeOutputParser();
        p.accept("  CC      apphello: hello.c");
        p.accept("/app/hello.c: In function 'main':");
        p.accept("/app/hello.c:5:9: error: 'x' undeclared (first use in this function)");
        p.accept("/app/other.c:7:1: error: expected ';'");
        p.accept("make[1]: *** [Makefile:10: /out/apphello/hello.o] Error 1");
        assertThat(p.firstError()).isEqualTo("/app/hello.c:5:9: error: 'x' undeclared (first use in this function)");
    }

    @Test
    void firstErrorFallsBackToMakesOwnError() {
        MakeOutputParser p = new MakeOutputParser();
        p.accept("make: *** No rule to make target 'foo'.  Stop.");
        assertThat(p.firstError()).isEqualTo("make: *** No rule to make target 'foo'.  Stop.");
        assertThat(new MakeOutputParser().firstError()).isNull();
    }
}
