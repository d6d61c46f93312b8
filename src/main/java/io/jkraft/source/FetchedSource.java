package io.jkraft.source;

import java.nio.file.Path;

/**
 * Sources ready to build from.
 *
 * @param dir      the folder holding the sources; for git and archives an immutable folder in the cache,
 *                 for local origins the folder itself
 * @param revision what identifies this content for up-to-date checks: the commit id for git, the archive's
 *                 SHA-256 for archives, a digest of paths, sizes and modification times for local folders
 */
public record FetchedSource(Path dir, String revision) {}
