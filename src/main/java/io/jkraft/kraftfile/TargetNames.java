package io.jkraft.kraftfile;

import io.jkraft.common.UserException;
import java.util.List;
import java.util.Map;

/** Canonical platform and architecture names, with kraft's aliases; shared by the parser and the CLI flags. */
public final class TargetNames {
    public static final List<String> PLATFORMS = List.of("qemu", "fc", "xen");
    public static final Map<String, String> PLATFORM_ALIASES = Map.of("kvm", "qemu", "firecracker", "fc");
    public static final List<String> ARCHITECTURES = List.of("x86_64", "arm64", "arm");
    public static final Map<String, String> ARCHITECTURE_ALIASES =
            Map.of("amd64", "x86_64", "aarch64", "arm64", "arm32", "arm");

    private TargetNames() {}

    /** The canonical platform name for a name or alias, or null when it is none. */
    public static String platformOrNull(String name) {
        return PLATFORMS.contains(name) ? name : PLATFORM_ALIASES.get(name);
    }

    /** The canonical architecture name for a name or alias, or null when it is none. */
    public static String architectureOrNull(String name) {
        return ARCHITECTURES.contains(name) ? name : ARCHITECTURE_ALIASES.get(name);
    }

    public static String platform(String name) {
        String p = platformOrNull(name);
        if (p == null) {
            throw new UserException("unknown platform '" + name + "'",
                    "use one of " + String.join(", ", PLATFORMS) + " (aliases: kvm, firecracker)");
        }
        return p;
    }

    public static String architecture(String name) {
        String a = architectureOrNull(name);
        if (a == null) {
            throw new UserException("unknown architecture '" + name + "'",
                    "use one of " + String.join(", ", ARCHITECTURES) + " (aliases: amd64, aarch64)");
        }
        return a;
    }
}
