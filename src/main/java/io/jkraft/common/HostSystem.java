package io.jkraft.common;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** What the host offers the machines: the programs on a PATH (its architecture is {@code Architecture.host()}). */
public final class HostSystem {
    private HostSystem() {}

    /**
     * The executable {@code name} in the first folder of {@code env}'s PATH that has one; a relative folder of
     * PATH is taken from this JVM's working folder ({@link Invocation#onPath} for a command's own).
     */
    public static Optional<Path> onPath(String name, Map<String, String> env) {
        return new Invocation(Path.of("").toAbsolutePath(), env).onPath(name);
    }
}
