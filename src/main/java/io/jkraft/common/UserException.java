package io.jkraft.common;

/**
 * A failure caused by the user's input or environment, reported as one clear message without a stack
 * trace. The message says what was wrong and where; {@link #hint()} says how to fix it.
 */
public class UserException extends RuntimeException {
    private final String hint;

    public UserException(String message) {
        this(message, null, null);
    }

    public UserException(String message, String hint) {
        this(message, hint, null);
    }

    public UserException(String message, String hint, Throwable cause) {
        super(message, cause);
        this.hint = hint;
    }

    /** How to fix the problem, or null when the message says it all. */
    public String hint() {
        return hint;
    }
}
