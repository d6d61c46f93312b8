package io.jkraft.source;

/**
 * Where a component's sources come from. {@link OriginResolver} turns a Kraftfile component into one;
 * {@link SourceCache} fetches it.
 */
public sealed interface Origin permits GitOrigin, LocalOrigin, ArchiveOrigin {
    /** A short human description for progress and error messages. */
    String describe();
}
