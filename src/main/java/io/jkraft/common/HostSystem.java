package io.jkraft.common;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** What the host offers the machines: the programs on a PATH (its architecture is {@code Architecture.host()}). */
public final class HostSystem {
    private HostSystem() {}

    /** The executable {@code name} in the first folder of {@code env}'s PATH that has one. */
    public static Optional<Path> onPath(String name, Map<String, String> env) {
        for (String dir : env.getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                Path candidate = Path.of(dir, name);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }
}
