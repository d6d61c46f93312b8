package io.jkraft.profile.stack;

import io.jkraft.common.ElfMachine;
import io.jkraft.common.UserException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import net.fornwall.jelf.ElfException;
import net.fornwall.jelf.ElfFile;
import net.fornwall.jelf.ElfSectionHeader;
import net.fornwall.jelf.ElfSymbol;
import net.fornwall.jelf.ElfSymbolTableSection;

/**
 * The functions of an unstripped kernel ({@code .unikraft/build/<name>_<plat>-<arch>.dbg}, or an image's
 * {@code kernel.dbg}): sorted start addresses searched by bisection, so one lookup per frame costs
 * O(log n) whatever the kernel's size. Also keeps the bytes of the executable sections, which the stack
 * walk reads to tell whether the innermost function has set up its frame yet.
 *
 * <p>Functions are STT_FUNC symbols with a size, and STT_NOTYPE symbols in executable sections (assembly
 * labels such as {@code _start}); a symbol without a size reaches to the next symbol or its section's end.
 */
public final class SymbolTable {
    private static final long SHF_EXECINSTR = 0x4;
    private static final int SHN_LORESERVE = 0xff00;

    private final StackArchitecture architecture;
    private final long[] starts;
    private final long[] ends;
    private final String[] names;
    private final List<CodeSection> code;

    private record CodeSection(long address, byte[] bytes) {
        boolean holds(long from, int length) {
            return from >= address && from - address + length <= bytes.length;
        }
    }

    /** {@code end} is the symbol's end, or for an unsized symbol its section's end (then {@code sized} is false). */
    private record Entry(String name, long start, long end, boolean sized, int rank) {}

    private SymbolTable(StackArchitecture architecture, List<Entry> entries, List<CodeSection> code) {
        this.architecture = architecture;
        this.starts = entries.stream().mapToLong(Entry::start).toArray();
        this.ends = entries.stream().mapToLong(Entry::end).toArray();
        this.names = entries.stream().map(Entry::name).toArray(String[]::new);
        this.code = List.copyOf(code);
    }

    /**
     * Reads the symbols of an ELF file (32- or 64-bit, x86 or arm64).
     *
     * @throws UserException when the file is not such an ELF file or has no symbol table (a stripped kernel)
     */
    public static SymbolTable load(Path elf) throws IOException {
        if (!Files.isRegularFile(elf)) {
            throw new UserException("no kernel debug file at " + elf,
                    "build the kernel first; the unstripped kernel is .unikraft/build/<name>_<plat>-<arch>.dbg");
        }
        ElfFile file;
        try {
            file = ElfFile.from(elf);
        } catch (ElfException e) {
            throw new UserException(elf + " is not an ELF file: " + e.getMessage(),
                    "pass the kernel's .dbg file (the unstripped ELF the build writes beside the kernel)", e);
        }
        StackArchitecture architecture = ElfMachine.of(file.e_machine).map(StackArchitecture::of)
                .orElseThrow(() -> new UserException(elf + " is code for ELF machine " + file.e_machine
                        + ", which stack profiling does not know", "profile an x86_64 or arm64 kernel"));
        try {
            return read(elf, file, architecture);
        } catch (ElfException e) {
            throw new UserException(elf + " is a damaged ELF file: " + e.getMessage(),
                    "rebuild the kernel", e);
        }
    }

    private static SymbolTable read(Path elf, ElfFile file, StackArchitecture architecture) {
        ElfSymbolTableSection symtab = file.getSymbolTableSection();
        if (symtab == null) {
            throw new UserException(elf + " has no symbol table (a stripped kernel)",
                    "use the .dbg file the build writes beside the kernel, or build with --dbg");
        }
        List<CodeSection> code = new ArrayList<>();
        List<long[]> execRanges = new ArrayList<>();
        for (int i = 1; i < file.e_shnum; i++) {
            ElfSectionHeader header = file.getSection(i).header;
            if ((header.sh_flags & SHF_EXECINSTR) != 0) {
                execRanges.add(new long[] {i, header.sh_addr, header.sh_addr + header.sh_size});
                if (header.sh_type != ElfSectionHeader.SHT_NOBITS) {
                    code.add(new CodeSection(header.sh_addr, file.getSection(i).getData()));
                }
            }
        }
        List<Entry> entries = new ArrayList<>();
        for (ElfSymbol symbol : symtab.symbols) {
            int type = symbol.getType();
            int section = symbol.st_shndx & 0xffff;
            if (section == 0 || section >= SHN_LORESERVE || symbol.st_name == 0) {
                continue;
            }
            long[] range = execRanges.stream().filter(r -> r[0] == section).findFirst().orElse(null);
            boolean function = type == ElfSymbol.STT_FUNC;
            boolean label = type == ElfSymbol.STT_NOTYPE && range != null;
            String name = symbol.getName();
            if ((!function && !label) || name == null || name.isEmpty() || name.startsWith("$")) {
                continue; // "$x"/"$d" are arm64 mapping symbols, not functions
            }
            boolean sized = symbol.st_size > 0;
            if (!sized && range == null) {
                continue;
            }
            long end = sized ? symbol.st_value + symbol.st_size : range[2];
            int rank = (function ? 0 : 2) + (symbol.getBinding() == ElfSymbol.BINDING_LOCAL ? 1 : 0);
            entries.add(new Entry(name, symbol.st_value, end, sized, rank));
        }
        return new SymbolTable(architecture, resolveEnds(dedupe(entries)), code);
    }

    /** One entry per start address: a function before a label, a global before a local, then by name. */
    private static List<Entry> dedupe(List<Entry> entries) {
        entries.sort(Comparator.comparingLong(Entry::start).thenComparingInt(Entry::rank)
                .thenComparing(Entry::name));
        List<Entry> unique = new ArrayList<>();
        for (Entry entry : entries) {
            if (unique.isEmpty() || unique.getLast().start() != entry.start()) {
                unique.add(entry);
            }
        }
        return unique;
    }

    /** Unsized symbols reach to the next symbol or their section's end. */
    private static List<Entry> resolveEnds(List<Entry> entries) {
        List<Entry> resolved = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            Entry entry = entries.get(i);
            long end = entry.end();
            if (!entry.sized() && i + 1 < entries.size()) {
                end = Math.min(end, entries.get(i + 1).start());
            }
            if (end > entry.start()) {
                resolved.add(new Entry(entry.name(), entry.start(), end, true, entry.rank()));
            }
        }
        return resolved;
    }

    /** The architecture of the kernel's code. */
    public StackArchitecture architecture() {
        return architecture;
    }

    /** How many functions the table holds. */
    public int size() {
        return starts.length;
    }

    /** The function holding {@code address}, with the address's offset into it. */
    public Optional<Symbol> lookup(long address) {
        int i = Arrays.binarySearch(starts, address);
        if (i < 0) {
            i = -i - 2; // the last function starting before the address
        }
        // Sized symbols may nest (an alias inside a larger function): look back a little for one that holds it.
        for (int j = i; j >= 0 && j > i - 4; j--) {
            if (address < ends[j]) {
                return Optional.of(new Symbol(names[j], starts[j], ends[j] - starts[j], address - starts[j]));
            }
        }
        return Optional.empty();
    }

    /** {@code length} bytes of the kernel's code at {@code address}, or null when no code section holds them all. */
    public byte[] code(long address, int length) {
        for (CodeSection section : code) {
            if (section.holds(address, length)) {
                int from = (int) (address - section.address());
                return Arrays.copyOfRange(section.bytes(), from, from + length);
            }
        }
        return null;
    }
}
