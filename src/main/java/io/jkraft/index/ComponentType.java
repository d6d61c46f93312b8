package io.jkraft.index;

import java.util.Arrays;
import java.util.Locale;

/** The kinds of component an index lists, with the names kraft writes in manifests. */
public enum ComponentType {
    CORE("core", "core"), ARCH("arch", "archs"), PLAT("plat", "plats"), LIB("lib", "libs"), APP("app", "apps");

    private final String kraftName;
    private final String plural;

    ComponentType(String kraftName, String plural) {
        this.kraftName = kraftName;
        this.plural = plural;
    }

    /** The name in manifests and in {@code type/name} references: core, arch, plat, lib, app. */
    public String kraftName() {
        return kraftName;
    }

    /** The folder of the local copy holding this type's manifests (kraft's own layout uses the plurals). */
    String folder() {
        return plural;
    }

    /** The type named {@code core}, {@code lib}, {@code libs}, {@code app}...; null when none is. */
    public static ComponentType of(String name) {
        String n = name.strip().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(t -> t.kraftName.equals(n) || t.plural.equals(n)).findFirst().orElse(null);
    }

    @Override
    public String toString() {
        return kraftName;
    }
}
