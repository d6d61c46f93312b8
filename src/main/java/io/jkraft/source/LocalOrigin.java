package io.jkraft.source;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A folder on this machine, used in place.
 *
 * @param dir an absolute, normalised path
 */
public record LocalOrigin(Path dir) implements Origin {
    public LocalOrigin {
        Objects.requireNonNull(dir, "dir");
    }

    @Override
    public String describe() {
        return dir.toString();
    }
}
