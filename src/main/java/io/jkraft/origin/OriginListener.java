package io.jkraft.origin;

/** What fetching origin archives reports. Called from several threads at once: implementations must be thread-safe. */
public interface OriginListener {

    /** One line for the user: where an archive came from, or that it is being downloaded. */
    void info(String message);

    /**
     * A download went on: for a live line on a terminal; plain output has the {@link #info} lines only.
     *
     * @param total the size the server announced, or -1 when it did not
     */
    default void downloading(String file, long bytes, long total) {}
}
