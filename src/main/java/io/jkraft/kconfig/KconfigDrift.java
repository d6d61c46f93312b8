package io.jkraft.kconfig;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A requested option that the resulting {@code .config} does not hold as asked. Kconfig drops or changes
 * such options silently (unmet dependencies, out-of-range values), which is the usual reason a build
 * "does not take" an option.
 *
 * @param key       the symbol
 * @param requested the value asked for
 * @param actual    the value in the resulting .config, or null when the symbol is absent
 */
public record KconfigDrift(String key, String requested, String actual) {

    public static List<KconfigDrift> compare(Map<String, String> requested, Map<String, String> actual) {
        List<KconfigDrift> drifts = new ArrayList<>();
        requested.forEach((key, want) -> {
            String got = actual.get(key);
            boolean same = got == null ? want.equals("n") : unquote(got).equals(unquote(want));
            if (!same) {
                drifts.add(new KconfigDrift(key, want, got));
            }
        });
        return drifts;
    }

    public String describe() {
        String asked = requested.equals("n") ? key + " is not set" : key + "=" + requested;
        if (actual == null) {
            return asked + " was requested, but the resulting configuration dropped it"
                    + " (its dependencies are probably not met)";
        }
        return asked + " was requested, but the resulting configuration has "
                + (actual.equals("n") ? "it not set" : key + "=" + actual);
    }

    private static String unquote(String v) {
        return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
    }
}
