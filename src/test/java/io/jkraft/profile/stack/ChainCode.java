package io.jkraft.profile.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jkraft.testing.ChainKernel;
import io.jkraft.testing.FixtureRepos;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The chain program's real machine code for unwinder tests: the fixture kernels (i386 and arm64) and, for
 * 64-bit x86 code, chain.c compiled and linked by the host's gcc into a static ELF64 that is never run.
 *
 * @param elf             the ELF file
 * @param symbols         its symbol table
 * @param returnIntoCaller for "b", "a" and "main": the return address of its call to c, b and a
 * @param disassembly      objdump's disassembly of it
 */
record ChainCode(Path elf, SymbolTable symbols, Map<String, Long> returnIntoCaller, String disassembly) {

    static ChainCode of(String variant, Path dir) throws Exception {
        Path elf = switch (variant) {
            case "x86_64" -> compileElf64(dir);
            case "i386" -> ChainKernel.build(dir, "x86_64");
            case "arm64" -> ChainKernel.build(dir, "arm64");
            default -> throw new IllegalArgumentException(variant);
        };
        String objdump = variant.equals("arm64") ? "aarch64-linux-gnu-objdump" : "objdump";
        String disassembly = run(objdump, "-d", "--no-show-raw-insn", elf.toString());
        return new ChainCode(elf, SymbolTable.load(elf), returnAddresses(disassembly), disassembly);
    }

    /** The first address of a function, as objdump's label lines give it. */
    long start(String function) {
        return Long.parseLong(disassembly.lines().filter(l -> l.endsWith(" <" + function + ">:")).findFirst()
                .orElseThrow().split(" ")[0], 16);
    }

    private static Map<String, Long> returnAddresses(String disassembly) {
        Map<String, Long> result = new HashMap<>();
        List<String> lines = disassembly.lines().toList();
        String function = null;
        for (int i = 0; i + 1 < lines.size(); i++) {
            String line = lines.get(i);
            if (line.matches("^[0-9a-f]+ <[^>]+>:$")) {
                function = line.substring(line.indexOf('<') + 1, line.indexOf('>'));
            } else if (line.matches(".*\\s(call|bl)\\s+[0-9a-f]+ <(a|b|c)>$")) {
                result.put(function, Long.parseLong(lines.get(i + 1).trim().split(":")[0], 16));
            }
        }
        assertThat(result).containsOnlyKeys("main", "a", "b");
        return result;
    }

    private static Path compileElf64(Path dir) throws Exception {
        assumeTrue(System.getProperty("os.arch").equals("amd64"), "64-bit x86 code is compiled by the host's gcc");
        Path core = FixtureRepos.coreDir();
        String include = run("gcc", "-print-file-name=include").trim();
        Path elf = dir.resolve("chain64.elf");
        run("gcc", "-O2", "-g", "-fno-omit-frame-pointer", "-momit-leaf-frame-pointer", "-fno-optimize-sibling-calls",
                "-ffreestanding", "-nostdinc", "-isystem", include, "-I", core.resolve("lib/nolibc/include").toString(),
                "-nostdlib", "-static", "-no-pie", "-Wl,--unresolved-symbols=ignore-all", "-Wl,-e,main",
                "-o", elf.toString(), ChainKernel.appDir().resolve("chain.c").toString());
        return elf;
    }

    static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(String.join(" ", command) + "\n" + output).isZero();
        return output;
    }
}
