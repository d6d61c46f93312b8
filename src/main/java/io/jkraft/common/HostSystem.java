package io.jkraft.common;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** What the host offers the machines: its CPU architecture in kraft's names, and the programs on a PATH. */
public final class HostSystem {
    private HostSystem() {}

    /** This machine's architecture as kraft names it (x86_64, arm64), or the JVM's name for others. */
    public static String architecture() {
        String arch = System.getProperty("os.arch");
        return switch (arch) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "arm64";
            default -> arch;
        };
    }

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
