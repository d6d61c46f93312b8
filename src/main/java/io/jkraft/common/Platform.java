package io.jkraft.common;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A platform (hypervisor) Unikraft builds for, by the name kraft gives it in Kraftfiles, target names
 * ({@code <plat>-<arch>}), OCI platforms ({@code os}) and the machine store. kraft's {@code kvm} is an alias
 * of {@code qemu}, as in KraftKit. Names are case-sensitive, as in kraft.
 */
public enum Platform {
    QEMU("qemu", "kvm"),
    FC("fc", "firecracker"),
    XEN("xen");

    private final String kraftName;
    private final List<String> aliases;

    Platform(String kraftName, String... aliases) {
        this.kraftName = kraftName;
        this.aliases = List.of(aliases);
    }

    /** The name kraft writes: {@code qemu}, {@code fc}, {@code xen}. */
    public String kraftName() {
        return kraftName;
    }

    public List<String> aliases() {
        return aliases;
    }

    @Override
    public String toString() {
        return kraftName;
    }

    /** The platform a name or alias stands for, exactly as written. */
    public static Optional<Platform> byName(String name) {
        return Arrays.stream(values()).filter(p -> p.kraftName.equals(name) || p.aliases.contains(name)).findFirst();
    }

    /** A name the user gave (--plat, a target): the platform, or one error saying what is accepted. */
    public static Platform parse(String name) {
        return byName(name).orElseThrow(() -> new UserException("unknown platform '" + name + "'",
                "use one of " + String.join(", ", kraftNames()) + " (aliases: " + String.join(", ", allAliases()) + ")"));
    }

    /** Every kraft name, in kraft's order. */
    public static List<String> kraftNames() {
        return Arrays.stream(values()).map(Platform::kraftName).toList();
    }

    /** Every alias, in the order of the platforms they stand for. */
    public static List<String> allAliases() {
        return Arrays.stream(values()).flatMap(p -> p.aliases.stream()).toList();
    }

    /** Each alias with the name it stands for ({@code firecracker=fc, kvm=qemu}), sorted by alias. */
    public static String aliasTable() {
        return Arrays.stream(values()).flatMap(p -> p.aliases.stream().map(alias -> alias + "=" + p.kraftName))
                .sorted().collect(Collectors.joining(", "));
    }
}
