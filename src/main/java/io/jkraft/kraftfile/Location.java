package io.jkraft.kraftfile;

import java.nio.file.Path;

/**
 * A position in a Kraftfile, 1-based as editors show it.
 *
 * @param file       the Kraftfile as the caller named it
 * @param line       1-based line
 * @param column     1-based column
 * @param workingDir the folder the user invoked jkraft in: the file is shown relative to it
 */
public record Location(Path file, int line, int column, Path workingDir) {

    /** A location shown relative to this JVM's working folder. */
    public Location(Path file, int line, int column) {
        this(file, line, column, Path.of("").toAbsolutePath());
    }

    /** The start of the file: where errors about the whole file point. */
    public static Location startOf(Path file, Path workingDir) {
        return new Location(file, 1, 1, workingDir);
    }

    /** {@code Kraftfile:12:5}, the form compilers use, so editors and terminals can jump to it. */
    @Override
    public String toString() {
        return displayPath(file, workingDir) + ":" + line + ":" + column;
    }

    /**
     * The path as the user would type it: relative to the working directory when the file lies beneath it,
     * because absolute paths make every message long and leak nothing useful.
     */
    static String displayPath(Path file, Path cwd) {
        if (!file.isAbsolute()) {
            return file.toString();
        }
        Path normal = file.normalize();
        return normal.startsWith(cwd) && !normal.equals(cwd) ? cwd.relativize(normal).toString() : file.toString();
    }
}
