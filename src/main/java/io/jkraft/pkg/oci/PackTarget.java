package io.jkraft.pkg.oci;

import io.jkraft.kraftfile.Target;
import java.nio.file.Path;
import java.util.Map;

/**
 * One built target to pack as one manifest of an image index.
 *
 * @param debug         the unstripped kernel, or null; packed only when the request asks for it
 * @param initrd        an initrd to ship beside the kernel, or null
 * @param kernelVersion the Unikraft version the kernel was built from, or null when unknown
 * @param kconfig       the target's resulting configuration, keys with the CONFIG_ prefix
 */
public record PackTarget(Target target, Path kernel, Path debug, Path initrd, String kernelVersion,
        Map<String, String> kconfig) {

    public PackTarget {
        kconfig = kconfig == null ? Map.of() : Map.copyOf(kconfig);
    }
}
