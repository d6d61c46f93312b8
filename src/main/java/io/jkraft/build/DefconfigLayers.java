package io.jkraft.build;

import io.jkraft.common.Architecture;
import io.jkraft.kconfig.KconfigValues;
import io.jkraft.kraftfile.Component;
import io.jkraft.kraftfile.Kraftfile;
import io.jkraft.kraftfile.Target;
import java.util.Locale;
import java.util.Map;

/**
 * Composes a target's defconfig from its layers in kraft's order, later layers winning: core,
 * libraries, architecture, platform, target, then the command line; then, as kraft does, the path of an
 * embedded initrd when the values ask for one and name none.
 */
final class DefconfigLayers {
    private DefconfigLayers() {}

    static KconfigValues compose(Kraftfile kraftfile, Target target, Map<String, String> commandLine) {
        KconfigValues values = new KconfigValues();
        if (kraftfile.unikraft() != null) {
            values.setAll(kraftfile.unikraft().kconfig());
        }
        for (Component lib : kraftfile.libraries().values()) {
            values.setAll(lib.kconfig());
            values.set(librarySymbol(lib.name()), "y");
        }
        values.set(architectureSymbol(target.architecture()), "y");
        switch (target.platform()) {
            case QEMU -> values.set("CONFIG_PLAT_KVM", "y").set("CONFIG_KVM_VMM_QEMU", "y");
            case FC -> values.set("CONFIG_PLAT_KVM", "y").set("CONFIG_KVM_VMM_FIRECRACKER", "y");
            case XEN -> values.set("CONFIG_PLAT_XEN", "y");
        }
        values.setAll(target.kconfig());
        values.setAll(commandLine);
        EmbeddedInitrd.defaultPath(values, kraftfile.projectDir().resolve(kraftfile.outdir()), target.architecture());
        return values;
    }

    /** The symbol that enables a library; kraft's convention, which most libraries follow. */
    static String librarySymbol(String name) {
        String upper = name.toUpperCase(Locale.ROOT).replace('-', '_');
        return "CONFIG_" + (upper.startsWith("LIB") ? upper : "LIB" + upper);
    }

    static String architectureSymbol(Architecture architecture) {
        return switch (architecture) {
            case X86_64 -> "CONFIG_ARCH_X86_64";
            case ARM64 -> "CONFIG_ARCH_ARM_64";
            case ARM -> "CONFIG_ARCH_ARM_32";
        };
    }
}
