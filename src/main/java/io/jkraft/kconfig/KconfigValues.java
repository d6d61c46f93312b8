package io.jkraft.kconfig;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An ordered set of Kconfig assignments, where later assignments override earlier ones (the way
 * layers are merged: core, libraries, architecture, platform, target, command line).
 * Values are kept normalised: {@code y}, {@code n}, a number, or a quoted string.
 */
public final class KconfigValues {
    private final Map<String, String> values = new LinkedHashMap<>();

    public KconfigValues set(String key, String value) {
        String k = key.startsWith("CONFIG_") ? key : "CONFIG_" + key;
        // Re-inserting moves the key to the end, so the file shows the winning layer's position.
        values.remove(k);
        values.put(k, normalise(value));
        return this;
    }

    public KconfigValues setAll(Map<String, String> more) {
        more.forEach(this::set);
        return this;
    }

    public Map<String, String> asMap() {
        return Collections.unmodifiableMap(values);
    }

    /** The defconfig text: "off" is written the Kconfig way, not as {@code =n}. */
    public String render() {
        StringBuilder out = new StringBuilder();
        values.forEach((k, v) -> {
            if (v.equals("n")) {
                out.append("# ").append(k).append(" is not set\n");
            } else {
                out.append(k).append('=').append(v).append('\n');
            }
        });
        return out.toString();
    }

    static String normalise(String raw) {
        String v = raw == null ? "" : raw.trim();
        switch (v.toLowerCase(java.util.Locale.ROOT)) {
            case "y", "yes", "true", "on" -> {
                return "y";
            }
            case "n", "no", "false", "off" -> {
                return "n";
            }
            case "m" -> {
                return "m";
            }
            default -> {
                // fall through to number / string handling
            }
        }
        if (v.matches("-?\\d+") || v.matches("0[xX][0-9a-fA-F]+")) {
            return v;
        }
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
            return v;
        }
        return '"' + v.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
