package io.jkraft.machine.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NetdevParametersTest {
    @TempDir
    Path tmp;

    /** An ELF object gcc compiles from one line of C. */
    private Path elf(String name, String source) throws Exception {
        Path c = tmp.resolve(name + ".c");
        Files.writeString(c, source);
        Path o = tmp.resolve(name + ".o");
        Process gcc = new ProcessBuilder("gcc", "-c", "-o", o.toString(), c.toString()).inheritIO().start();
        assertThat(gcc.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(gcc.exitValue()).isZero();
        return o;
    }

    @Test
    void aKernelWithUknetdevsParameterTableOrItsDbgReadsNetdevIpOthersDoNot() throws Exception {
        assertThat(NetdevParameters.read(elf("with", "const char " + NetdevParameters.TABLE + "[1];\n"))).isTrue();
        assertThat(NetdevParameters.read(elf("without", "const char uk_libparam_params_libvfscore_start[1];\n"))).isFalse();

        Path stripped = Files.writeString(tmp.resolve("app_qemu-x86_64"), "a stripped kernel: no symbols\n");
        assertThat(NetdevParameters.read(stripped)).isFalse();
        Files.copy(elf("dbg", "const char " + NetdevParameters.TABLE + "[1];\n"), tmp.resolve("app_qemu-x86_64.dbg"));
        assertThat(NetdevParameters.read(stripped)).as("its .dbg beside it").isTrue();

        Path text = Files.writeString(tmp.resolve("kernel"), "not an ELF file\n");
        assertThat(NetdevParameters.read(text)).isFalse();
        assertThat(NetdevParameters.read(tmp.resolve("missing"))).isFalse();
    }
}
