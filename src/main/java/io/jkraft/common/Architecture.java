package io.jkraft.common;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A CPU architecture Unikraft builds for, by the name kraft gives it in Kraftfiles, target names
 * ({@code <plat>-<arch>}), OCI platforms and the machine store. Names are case-sensitive, as in kraft.
 */
public enum Architecture {
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
    public String kraftName() {
        return kraftName;
    }

    /** The other names accepted for it (Go's {@code amd64}, Linux's {@code aarch64}, kraft's {@code arm32}). */
    public List<String> aliases() {
        return aliases;
    }

    @Override
    public String toString() {
        return kraftName;
    }

    /** The architecture a name or alias stands for, exactly as written. */
    public static Optional<Architecture> byName(String name) {
        return Arrays.stream(values()).filter(a -> a.kraftName.equals(name) || a.aliases.contains(name)).findFirst();
    }

    /** A name the user gave (--arch, -m, a target): the architecture, or one error saying what is accepted. */
    public static Architecture parse(String name) {
        return byName(name).orElseThrow(() -> new UserException("unknown architecture '" + name + "'",
                "use one of " + String.join(", ", kraftNames()) + " (aliases: " + String.join(", ", allAliases()) + ")"));
    }

    /** Every kraft name, in kraft's order. */
    public static List<String> kraftNames() {
        return Arrays.stream(values()).map(Architecture::kraftName).toList();
    }

    /** Every alias, in the order of the architectures they stand for. */
    public static List<String> allAliases() {
        return Arrays.stream(values()).flatMap(a -> a.aliases.stream()).toList();
    }

    /** Each alias with the name it stands for ({@code aarch64=arm64, ...}), sorted by alias. */
    public static String aliasTable() {
        return Arrays.stream(values()).flatMap(a -> a.aliases.stream().map(alias -> alias + "=" + a.kraftName))
                .sorted().collect(Collectors.joining(", "));
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
