package io.jkraft.source;

/** How much a fetch may use the network. */
public enum FetchPolicy {
    /** Only what is cached; a branch is the commit it resolved to at the last fetch. */
    OFFLINE,
    /**
     * What is cached when it is there, the network otherwise: a branch stays at the commit it resolved to
     * until the next {@link #REFRESH}, the way a lock file pins a dependency. Builds use this, so that a
     * build with nothing changed needs no network round trip.
     */
    PREFER_CACHE,
    /** Ask the remote where each branch is now, and fetch what moved. */
    REFRESH
}
