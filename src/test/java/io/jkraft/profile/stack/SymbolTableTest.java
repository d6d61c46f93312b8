package io.jkraft.profile.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jkraft.common.UserException;
import io.jkraft.testing.ChainKernel;
import io.jkraft.testing.QemuBoot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The symbols of the chain kernel's real .dbg files, against what binutils' nm says about them. */
@Tag("qemu")
class SymbolTableTest {

    @TempDir
    Path dir;

    private record NmSymbol(long start, long size, String name) {}

    @ParameterizedTest
    @ValueSource(strings = {"x86_64", "arm64"})
    void everyFunctionNmListsIsFoundAtItsStartMiddleAndLastByte(String arch) throws Exception {
        Path dbg = ChainKernel.build(dir, arch);
        SymbolTable table = SymbolTable.load(dbg);
        List<NmSymbol> functions = nmFunctions(arch, dbg);

        assertThat(table.architecture()).isEqualTo(arch.equals("arm64") ? StackArchitecture.ARM64 : StackArchitecture.I386);
        assertThat(functions).extracting(NmSymbol::name).contains("main", "a", "b", "c", "printf", "fixture_boot");
        Map<Long, Set<String>> aliases = new HashMap<>();
        functions.forEach(f -> aliases.computeIfAbsent(f.start(), k -> new HashSet<>()).add(f.name()));
        for (NmSymbol f : functions) {
            for (long offset : new long[] {0, f.size() / 2, f.size() - 1}) {
                Symbol found = table.lookup(f.start() + offset).orElseThrow(
                        () -> new AssertionError("no symbol for " + f.name() + "+" + offset));
                assertThat(aliases.get(f.start())).as(f.name() + "+" + offset).contains(found.name());
                assertThat(found.offset()).isEqualTo(offset);
                assertThat(found.start()).isEqualTo(f.start());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"x86_64", "arm64"})
    void returnAddressesOfTheChainsCallsAreNamedAsObjdumpNamesThem(String arch) throws Exception {
        Path dbg = ChainKernel.build(dir, arch);
        SymbolTable table = SymbolTable.load(dbg);
        // objdump prints "call 100980 <c>" / "bl 40200d20 <c>"; the next line's address is the return address.
        List<String> lines = run(tool(arch, "objdump"), "-d", "--no-show-raw-insn", dbg.toString()).lines().toList();
        int checked = 0;
        String function = null;
        for (int i = 0; i + 1 < lines.size(); i++) {
            String line = lines.get(i);
            if (line.matches("^[0-9a-f]+ <[^>]+>:$")) {
                function = line.substring(line.indexOf('<') + 1, line.indexOf('>'));
            } else if (line.matches(".*\\s(call|bl)\\s+[0-9a-f]+ <(a|b|c)>$") && List.of("main", "a", "b").contains(function)) {
                long ret = Long.parseLong(lines.get(i + 1).trim().split(":")[0], 16);
                Symbol symbol = table.lookup(ret).orElseThrow();
                assertThat(symbol.name()).isEqualTo(function);
                assertThat(symbol.start() + symbol.offset()).isEqualTo(ret);
                checked++;
            }
        }
        assertThat(checked).isEqualTo(3);
    }

    @ParameterizedTest
    @ValueSource(strings = {"x86_64", "arm64"})
    void addressesOutsideEveryFunctionHaveNoSymbol(String arch) throws Exception {
        SymbolTable table = SymbolTable.load(ChainKernel.build(dir, arch));
        assertThat(table.lookup(0)).isEmpty();
        assertThat(table.lookup(-16)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"x86_64", "arm64"})
    void aStrippedKernelIsRefusedWithAHintToUseTheDbgFile(String arch) throws Exception {
        Path dbg = ChainKernel.build(dir, arch);
        Path stripped = Path.of(dbg.toString().replaceFirst("\\.dbg$", ""));
        assertThat(stripped).exists();
        assertThatThrownBy(() -> SymbolTable.load(stripped)).isInstanceOf(UserException.class)
                .hasMessageContaining("no symbol table")
                .satisfies(e -> assertThat(((UserException) e).hint()).contains(".dbg"));
    }

    @org.junit.jupiter.api.Test
    void aFileThatIsNoElfIsRefused() throws IOException {
        Path text = Files.writeString(dir.resolve("kernel.dbg"), "not an ELF file at all, just text\n");
        assertThatThrownBy(() -> SymbolTable.load(text)).isInstanceOf(UserException.class)
                .hasMessageContaining("is not an ELF file");
        assertThatThrownBy(() -> SymbolTable.load(dir.resolve("missing.dbg"))).isInstanceOf(UserException.class)
                .hasMessageContaining("no kernel debug file");
    }

    /** Sized text symbols (T/t/W/w) as {@code nm -S --defined-only} lists them. */
    private static List<NmSymbol> nmFunctions(String arch, Path elf) throws Exception {
        List<NmSymbol> result = new ArrayList<>();
        for (String line : run(tool(arch, "nm"), "-S", "--defined-only", elf.toString()).lines().toList()) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length == 4 && "TtWw".contains(parts[2]) && !parts[3].startsWith("$")) {
                result.add(new NmSymbol(Long.parseLong(parts[0], 16), Long.parseLong(parts[1], 16), parts[3]));
            }
        }
        return result;
    }

    private static String tool(String arch, String name) {
        return QemuBoot.unavailableReason(arch) == null && arch.equals("arm64") ? "aarch64-linux-gnu-" + name : name;
    }

    private static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(String.join(" ", command) + "\n" + output).isZero();
        return output;
    }
}
