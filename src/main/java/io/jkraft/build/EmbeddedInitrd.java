package io.jkraft.build;

import io.jkraft.common.Architecture;
import io.jkraft.common.UserException;
import io.jkraft.kconfig.KconfigValues;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * When a kernel embeds its initrd, and from where: kraft's rules. A configuration that asks for an embedded
 * initrd (vfscore's compiled-in automount of one, or the older symbols) and names no path gets kraft's
 * {@code <outdir>/initramfs-<arch>.cpio}; the core links the file at {@value #PATH} into the image, and the
 * kernel then needs no {@code -initrd}.
 */
final class EmbeddedInitrd {
    static final String PATH = "CONFIG_LIBVFSCORE_AUTOMOUNT_EINITRD_PATH";
    /** Set in a resolved .config when the image embeds (the core derives it from the symbols below). */
    static final String EMBEDS = "CONFIG_LIBVFSCORE_AUTOMOUNT_EINITRD";
    /** What kraft looks for in the requested values (application.go, Configure). */
    private static final List<String> ASKING = List.of("CONFIG_LIBVFSCORE_FSTAB", "CONFIG_LIBVFSCORE_ROOTFS_EINITRD",
            EMBEDS, "CONFIG_LIBVFSCORE_AUTOMOUNT_CI_EINITRD");
    private static final Pattern MAKE_VARIABLE = Pattern.compile("\\$\\(([A-Za-z0-9_]+)\\)");

    private EmbeddedInitrd() {}

    /** Whether the values ask for an embedded initrd: any of kraft's symbols set to y. */
    static boolean asked(Map<String, String> values) {
        return ASKING.stream().anyMatch(k -> "y".equals(values.get(k)));
    }

    /** kraft's path for a configuration that asks and names none; one file per architecture, as kraft's. */
    static void defaultPath(KconfigValues values, Path outdir, Architecture architecture) {
        String path = values.asMap().get(PATH);
        if (asked(values.asMap()) && (path == null || path.isEmpty() || path.equals("\"\""))) {
            values.set(PATH, "\"" + outdir.toAbsolutePath().normalize().resolve(
                    "initramfs-" + architecture.kraftName() + ".cpio") + "\"");
        }
    }

    /**
     * The file a resolved configuration embeds, or null when it embeds none. The value may name the make
     * variables the core's Kconfig default uses ({@code $(UK_APP)/initrd.cpio}), which are expanded here.
     */
    static Path path(Map<String, String> dotConfig, Path app, Path core, Path config) {
        if (!"y".equals(dotConfig.get(EMBEDS))) {
            return null;
        }
        String raw = unquote(dotConfig.getOrDefault(PATH, ""));
        Map<String, String> vars = Map.of("UK_APP", app.toString(), "CONFIG_UK_APP", app.toString(),
                "APP_DIR", app.toString(), "UK_BASE", core.toString(), "CONFIG_UK_BASE", core.toString());
        Matcher m = MAKE_VARIABLE.matcher(raw);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = vars.get(m.group(1));
            if (value == null) {
                throw new UserException(config + ": " + PATH + " names the make variable $(" + m.group(1)
                        + "), which jkraft cannot expand", "use an absolute path, or $(UK_APP) or $(UK_BASE)");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        if (out.isEmpty()) {
            throw new UserException(config + " embeds an initrd but sets no " + PATH,
                    "set it in the Kraftfile's kconfig, or remove the .config to let jkraft choose the path");
        }
        Path p = Path.of(out.toString());
        if (!p.isAbsolute()) {
            throw new UserException(config + ": " + PATH + " is the relative path " + out
                    + ", which the core reads from its output folder", "use an absolute path or $(UK_APP)/...");
        }
        return p.normalize();
    }

    private static String unquote(String v) {
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
            return v.substring(1, v.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
        }
        return v;
    }
}
