package io.jkraft.build;

import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the core's make output as it streams: counts compiled objects (the core prints
 * {@code "  CC      libname: file.o"}) and remembers the first compiler error, the line a user needs.
 */
final class MakeOutputParser {
    private static final Pattern STEP = Pattern.compile("^  ([A-Z][A-Z0-9+]*)\\s+(?:([^:\\s]+): )?(\\S.*)$");
    private static final Set<String> OBJECT_STEPS = Set.of("CC", "CXX", "AS", "ASM", "AS+CPP", "GOC", "RUSTC", "CPP");
    private static final Pattern COMPILER_ERROR = Pattern.compile("^(\\S[^:]*):(\\d+)(?::(\\d+))?: (?:fatal )?error: .*$");
    private static final Pattern MAKE_ERROR = Pattern.compile("^make(?:\\[\\d+])?: \\*\\*\\* .*$");

    private int objects;
    private String currentLibrary = "";
    private String firstError;
    private String lastMakeError;

    /** Feeds one line; returns true when the line advanced the object count. */
    boolean accept(String line) {
        Matcher step = STEP.matcher(line);
        if (step.matches()) {
            if (step.group(2) != null) {
                currentLibrary = step.group(2);
            }
            if (OBJECT_STEPS.contains(step.group(1))) {
                objects++;
                return true;
            }
            return false;
        }
        if (firstError == null && COMPILER_ERROR.matcher(line).matches()) {
            firstError = line;
        } else if (MAKE_ERROR.matcher(line).matches()) {
            lastMakeError = line;
        }
        return false;
    }

    int objects() {
        return objects;
    }

    String currentLibrary() {
        return currentLibrary;
    }

    /** The first compiler error, else make's last "***" line, else null. */
    String firstError() {
        return firstError != null ? firstError : lastMakeError;
    }
}
