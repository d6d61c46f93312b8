package io.jkraft.build;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The number of objects the last full build of a target compiled: the core does not announce a total,
 * so the previous count is the best estimate for the progress line.
 */
final class ObjectCount {
    private static final String FILE = ".jkraft-objects";

    private ObjectCount() {}

    static int load(Path outDir) {
        try {
            return Integer.parseInt(Files.readString(outDir.resolve(FILE)).strip());
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    /** Keeps the larger count: an incremental build compiles only what changed. */
    static void save(Path outDir, int objects) {
        if (objects > load(outDir)) {
            TargetBuild.writeAtomically(outDir.resolve(FILE), Integer.toString(objects));
        }
    }
}
