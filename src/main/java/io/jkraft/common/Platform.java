package io.jkraft.common;

import java.util.List;
import java.util.Optional;

/**
 * A platform (hypervisor) Unikraft builds for, by the name kraft gives it in Kraftfiles, target names
 * ({@code <plat>-<arch>}), OCI platforms ({@code os}) and the machine store. kraft's {@code kvm} is an alias
 * of {@code qemu}, as in KraftKit. Names are case-sensitive, as in kraft.
 */
public enum Platform implements KraftName {
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
    @Override
    public String kraftName() {
        return kraftName;
    }

    @Override
    public List<String> aliases() {
        return aliases;
    }

    @Override
    public String toString() {
        return kraftName;
    }

    /** The platform a name or alias stands for, exactly as written. */
    public static Optional<Platform> byName(String name) {
        return KraftName.byName(values(), name);
    }

    /** A name the user gave: the platform, or one error saying what is accepted. */
    public static Platform parse(String name) {
        return KraftName.parse(values(), name, "platform");
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
}
