package io.jkraft.kraftfile;

import java.util.Map;

/**
 * One build target.
 *
 * @param name         the target's name, or null when the file gives none
 * @param platform     canonical platform name: {@code qemu}, {@code fc} or {@code xen}
 *                     (kraft's aliases {@code kvm}, {@code firecracker} resolved)
 * @param architecture canonical architecture: {@code x86_64}, {@code arm64} or {@code arm}
 *                     ({@code amd64}, {@code aarch64} resolved)
 * @param kernel       a prebuilt kernel path when the target gives one, else null
 * @param kconfig      target-specific Kconfig options, as in {@link Component#kconfig()}
 */
public record Target(String name, String platform, String architecture, String kernel, Map<String, String> kconfig) {

    /** kraft's "plat/arch" form, used to select targets with -t. */
    public String platArch() {
        return platform + "/" + architecture;
    }
}
