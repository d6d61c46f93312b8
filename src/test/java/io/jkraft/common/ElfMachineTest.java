package io.jkraft.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jkraft.testing.ChainKernel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import net.fornwall.jelf.ElfFile;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ELF machines decoded from real files: the fixture core's kernels and code of the host's gcc. */
class ElfMachineTest {
    @TempDir
    Path dir;

    @Test
    @Tag("qemu")
    void theFixtureCoresX86KernelIs32BitCodeThatRunsAsX8664() throws Exception {
        Path dbg = ChainKernel.build(dir, "x86_64");
        for (Path elf : new Path[] {dbg, kernelOf(dbg)}) {
            ElfMachine machine = machineOf(elf).orElseThrow();
            assertThat(machine).as(elf.toString()).isEqualTo(ElfMachine.I386);
            assertThat(machine.architecture()).isEqualTo(Architecture.X86_64);
            assertThat(machine.wordSize()).isEqualTo(4);
        }
    }

    @Test
    @Tag("qemu")
    void theFixtureCoresArm64KernelIsAarch64() throws Exception {
        Path dbg = ChainKernel.build(dir, "arm64");
        for (Path elf : new Path[] {dbg, kernelOf(dbg)}) {
            ElfMachine machine = machineOf(elf).orElseThrow();
            assertThat(machine).as(elf.toString()).isEqualTo(ElfMachine.AARCH64);
            assertThat(machine.architecture()).isEqualTo(Architecture.ARM64);
            assertThat(machine.wordSize()).isEqualTo(8);
        }
    }

    @Test
    void theHostGccsObjectCodeIsX8664WithEightByteWords() throws Exception {
        assumeTrue(Architecture.host().equals(Optional.of(Architecture.X86_64)), "the host's gcc makes x86_64 code");
        Path source = Files.writeString(dir.resolve("f.c"), "int f(int x) { return x + 1; }\n");
        Path object = dir.resolve("f.o");
        Process gcc = new ProcessBuilder("gcc", "-c", "-o", object.toString(), source.toString())
                .redirectErrorStream(true).start();
        String output = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assumeTrue(gcc.waitFor() == 0, () -> "gcc did not compile: " + output);
        assertThat(machineOf(object)).contains(ElfMachine.X86_64);
        assertThat(ElfMachine.X86_64.architecture()).isEqualTo(Architecture.X86_64);
        assertThat(ElfMachine.X86_64.wordSize()).isEqualTo(8);
    }

    @Test
    void machinesJkraftRunsNoKernelOfAreUnknown() {
        assertThat(ElfMachine.of(ElfFile.ARCH_ARM)).isEmpty();
        assertThat(ElfMachine.of(0)).isEmpty();
        assertThat(ElfMachine.of(62)).contains(ElfMachine.X86_64);
        assertThat(ElfMachine.of(183)).contains(ElfMachine.AARCH64);
        assertThat(ElfMachine.of(3)).contains(ElfMachine.I386);
    }

    private static Optional<ElfMachine> machineOf(Path elf) throws Exception {
        return ElfMachine.of(ElfFile.from(elf.toFile()).e_machine);
    }

    private static Path kernelOf(Path dbg) {
        String name = dbg.getFileName().toString();
        return dbg.resolveSibling(name.substring(0, name.length() - ".dbg".length()));
    }
}
