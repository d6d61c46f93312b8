package io.jkraft.build;

import io.jkraft.common.UserException;

/** Make failed for a target; the message carries the first compiler error, the hint the log's path. */
public final class BuildFailedException extends UserException {
    public BuildFailedException(String message, String hint) {
        super(message, hint);
    }
}
