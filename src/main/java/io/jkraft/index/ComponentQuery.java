package io.jkraft.index;

import io.jkraft.common.UserException;

/**
 * What {@code pkg pull}/{@code pkg info} name: {@code [type/]name[:channel|@version]}, e.g. {@code musl},
 * {@code lib/musl:stable}, {@code core/unikraft@0.17.0}. {@code @latest} means what a bare name means.
 *
 * @param type    the type, or null for any
 * @param name    the component's name
 * @param channel a channel, or null
 * @param version a version, or null
 */
public record ComponentQuery(ComponentType type, String name, String channel, String version) {

    public static ComponentQuery parse(String text) {
        String s = text.strip();
        ComponentType type = null;
        int slash = s.indexOf('/');
        if (slash >= 0) {
            type = ComponentType.of(s.substring(0, slash));
            if (type == null) {
                throw new UserException("'" + s.substring(0, slash) + "' in " + text + " is not a component type",
                        "write NAME, or TYPE/NAME with TYPE one of core, arch, plat, lib, app");
            }
            s = s.substring(slash + 1);
        }
        String channel = null;
        String version = null;
        int at = s.indexOf('@');
        int colon = s.indexOf(':');
        if (at >= 0) {
            version = s.substring(at + 1);
            s = s.substring(0, at);
        } else if (colon >= 0) {
            channel = s.substring(colon + 1);
            s = s.substring(0, colon);
        }
        if ("latest".equals(version)) {
            version = null;
        }
        if (s.isEmpty() || (channel != null && channel.isEmpty()) || (at >= 0 && "".equals(version))) {
            throw new UserException("'" + text + "' is not a component reference",
                    "write NAME, NAME:CHANNEL or NAME@VERSION, e.g. musl:stable or unikraft@0.17.0");
        }
        return new ComponentQuery(type, s, channel, version);
    }

    /** Whether the text could be a component reference rather than an image reference (no registry host). */
    static boolean looksLikeComponent(String text) {
        String s = text.strip();
        int slash = s.indexOf('/');
        return !s.isEmpty() && (slash < 0 || (s.indexOf('/', slash + 1) < 0
                && ComponentType.of(s.substring(0, slash)) != null));
    }

    @Override
    public String toString() {
        return (type == null ? "" : type.kraftName() + "/") + name
                + (channel != null ? ":" + channel : version != null ? "@" + version : "");
    }
}
