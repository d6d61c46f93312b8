package io.jkraft.common;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A CPU architecture Unikraft builds for, by the name kraft gives it in Kraftfiles, target names
 * ({@code <plat>-<arch>}), OCI platforms and the machine store. Names are case-sensitive, as in kraft.
 */
public enum Architecture implements KraftName {
    X86_64("x86_64", "amd64"),
    ARM64("arm64", "aarch64"),
    ARM("arm", "arm32");

    private final String kraftName;
    private final List<String> aliases;

    Architecture(String kraftName, String... aliases) {
        this.kraftName = kraftName;
        this.aliases = List.of(aliases);
    }

    /** The name kraft writes: {@code x86_64}, {@code arm64}, {@code arm}. */
    @Override
    public String kraftName() {
        return kraftName;
    }

    /** The other names accepted for it (Go's {@code amd64}, Linux's {@code aarch64}, kraft's {@code arm32}). */
    @Override
    public List<String> aliases() {
        return aliases;
    }

    @Override
    public String toString() {
        return kraftName;
    }

    /** The architecture a name or alias stands for, exactly as written. */
    public static Optional<Architecture> byName(String name) {
        return KraftName.byName(values(), name);
    }

    /** A name the user gave: the architecture, or one error saying what is accepted. */
    public static Architecture parse(String name) {
        return KraftName.parse(values(), name, "architecture");
    }

    public static List<String> kraftNames() {
        return KraftName.kraftNames(values());
    }

    public static List<String> allAliases() {
        return KraftName.allAliases(values());
    }

    /** Each alias with the name it stands for, sorted by alias. */
    public static String aliasTable() {
        return KraftName.aliasTable(values());
    }

    /** The architecture of the machine jkraft runs on, or empty when it is none Unikraft runs on. */
    public static Optional<Architecture> host() {
        return ofJvmName(System.getProperty("os.arch"));
    }

    /** The architecture the JVM calls {@code osArch} (its {@code os.arch}: amd64, aarch64, arm, ...). */
    static Optional<Architecture> ofJvmName(String osArch) {
        // OpenJDK says amd64 and aarch64, some ports x86_64 and arm64: kraft's names and aliases cover both.
        return osArch == null ? Optional.empty() : byName(osArch.toLowerCase(Locale.ROOT));
    }
}
