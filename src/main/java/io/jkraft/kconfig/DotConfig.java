package io.jkraft.kconfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads a Kconfig {@code .config} file into symbol assignments ({@code # X is not set} reads as {@code n}). */
public final class DotConfig {
    private static final Pattern SET = Pattern.compile("^(CONFIG_[A-Za-z0-9_]+)=(.*)$");
    private static final Pattern UNSET = Pattern.compile("^# (CONFIG_[A-Za-z0-9_]+) is not set$");

    private DotConfig() {}

    public static Map<String, String> read(Path file) {
        try {
            return parse(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Map<String, String> parse(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            String l = line.strip();
            Matcher m = SET.matcher(l);
            if (m.matches()) {
                out.put(m.group(1), m.group(2));
                continue;
            }
            m = UNSET.matcher(l);
            if (m.matches()) {
                out.put(m.group(1), "n");
            }
        }
        return out;
    }
}
