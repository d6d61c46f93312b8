package io.jkraft.kraftfile;

import io.jkraft.common.UserException;
import io.jkraft.common.YamlWalker;
import java.nio.file.Path;

/**
 * A Kraftfile that cannot be understood, with the place it goes wrong. The message reads
 * {@code Kraftfile:12:5: <problem>: found <found>, expected <expected>}; the found/expected part is left out
 * when the problem alone says it (YAML syntax errors, whose text comes from the YAML parser).
 */
public class KraftfileException extends UserException {
    private final Location location;
    private final String problem;
    private final String found;
    private final String expected;

    public KraftfileException(Location location, String problem, String found, String expected, String hint) {
        this(location, problem, found, expected, hint, null);
    }

    public KraftfileException(
            Location location, String problem, String found, String expected, String hint, Throwable cause) {
        super(format(location, problem, found, expected), hint, cause);
        this.location = location;
        this.problem = problem;
        this.found = found;
        this.expected = expected;
    }

    private static String format(Location location, String problem, String found, String expected) {
        return location + ": " + YamlWalker.message(problem, found, expected);
    }

    public Location location() {
        return location;
    }

    public Path file() {
        return location.file();
    }

    /** 1-based. */
    public int line() {
        return location.line();
    }

    /** 1-based. */
    public int column() {
        return location.column();
    }

    /** What is wrong, without location, found or expected. */
    public String problem() {
        return problem;
    }

    /** What the file has at that place, or null. */
    public String found() {
        return found;
    }

    /** What would have been valid there, or null. */
    public String expected() {
        return expected;
    }
}
