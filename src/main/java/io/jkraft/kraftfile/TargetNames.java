package io.jkraft.kraftfile;

import io.jkraft.common.UserException;
import java.util.Locale;
import java.util.Map;

/** Canonical platform and architecture names, with kraft's aliases. */
public final class TargetNames {
    public static final Map<String, String> PLATFORMS = Map.of(
            "qemu", "qemu", "kvm", "qemu", "fc", "fc", "firecracker", "fc", "xen", "xen");
    public static final Map<String, String> ARCHITECTURES = Map.of(
            "x86_64", "x86_64", "amd64", "x86_64", "arm64", "arm64", "aarch64", "arm64", "arm", "arm",
            "arm32", "arm");

    private TargetNames() {}

    /** The canonical platform name for a name or alias, or null when it is none. */
    public static String platformOrNull(String name) {
        return PLATFORMS.get(name.toLowerCase(Locale.ROOT));
    }

    /** The canonical architecture name for a name or alias, or null when it is none. */
    public static String architectureOrNull(String name) {
        return ARCHITECTURES.get(name.toLowerCase(Locale.ROOT));
    }

    public static String platform(String name) {
        String p = platformOrNull(name);
        if (p == null) {
            throw new UserException("unknown platform '" + name + "'", "use one of qemu, fc, xen (aliases: kvm, firecracker)");
        }
        return p;
    }

    public static String architecture(String name) {
        String a = architectureOrNull(name);
        if (a == null) {
            throw new UserException("unknown architecture '" + name + "'", "use one of x86_64, arm64, arm (aliases: amd64, aarch64)");
        }
        return a;
    }
}
