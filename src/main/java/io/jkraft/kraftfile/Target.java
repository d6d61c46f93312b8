package io.jkraft.kraftfile;

import io.jkraft.common.Architecture;
import io.jkraft.common.Platform;
import java.util.Map;

/**
 * One build target.
 *
 * @param name         the target's name, or null when the file gives none
 * @param platform     the platform (kraft's aliases {@code kvm}, {@code firecracker} resolved)
 * @param architecture the architecture ({@code amd64}, {@code aarch64}, {@code arm32} resolved)
 * @param kernel       a prebuilt kernel path when the target gives one, else null
 * @param kconfig      target-specific Kconfig options, as in {@link Component#kconfig()}
 */
public record Target(String name, Platform platform, Architecture architecture, String kernel, Map<String, String> kconfig) {

    /** kraft's "plat/arch" form, used to select targets with -t. */
    public String platArch() {
        return platform + "/" + architecture;
    }
}
