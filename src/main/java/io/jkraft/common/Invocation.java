package io.jkraft.common;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The working folder and environment one command was invoked with. A JVM of its own has them as its
 * {@code user.dir} and {@code System.getenv()}; a command the resident helper runs has its launcher's, while
 * the helper's JVM keeps its own (Java cannot change a process's working folder). So nothing a command does
 * may rely on the JVM's: every relative path the user gives is resolved here, and every program a command
 * starts is started through {@link #start}.
 *
 * @param workingDir  absolute
 * @param environment the variables, as a process started for this command must see them
 */
public record Invocation(Path workingDir, Map<String, String> environment) {

    public Invocation {
        if (!workingDir.isAbsolute()) {
            throw new IllegalArgumentException("the working folder must be absolute: " + workingDir);
        }
        workingDir = workingDir.normalize();
        environment = Map.copyOf(environment);
    }

    /** This JVM's own: the command runs in a JVM of its own. */
    public static Invocation ofThisProcess() {
        return new Invocation(Path.of("").toAbsolutePath(), System.getenv());
    }

    /** {@code path} as the user meant it: relative paths are relative to the working folder. Null stays null. */
    public Path resolve(Path path) {
        return path == null ? null : workingDir.resolve(path).normalize();
    }

    /** {@link #resolve(Path)} of a path the user wrote. */
    public Path resolve(String path) {
        try {
            return resolve(Path.of(path));
        } catch (InvalidPathException e) {
            throw new UserException(path + " is not a valid path: " + e.getReason(), null, e);
        }
    }

    /** A variable, or null. */
    public String variable(String name) {
        return environment.get(name);
    }

    /** The executable {@code name} in the first folder of this environment's PATH that has one. */
    public Optional<Path> onPath(String name) {
        for (String dir : environment.getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                Path candidate = workingDir.resolve(dir).resolve(name);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Starts {@code process} as this command's: in the working folder (unless the builder names another),
     * with this environment, and a bare program name looked up on this environment's PATH. The JDK looks a
     * bare name up on its own JVM's PATH, whatever the child's environment says, so the lookup is done here.
     *
     * @throws IOException as {@link ProcessBuilder#start} does, also when the program is on no folder of PATH
     */
    public Process start(ProcessBuilder process) throws IOException {
        String program = process.command().getFirst();
        if (!program.contains("/")) {
            Path found = onPath(program).orElseThrow(() -> new IOException(
                    "Cannot run program \"" + program + "\": error=2, No such file or directory (not on PATH)"));
            List<String> command = new ArrayList<>(process.command());
            command.set(0, found.toString());
            process.command(command);
        }
        if (process.directory() == null) {
            process.directory(workingDir.toFile());
        }
        process.environment().clear();
        process.environment().putAll(environment);
        return process.start();
    }
}
