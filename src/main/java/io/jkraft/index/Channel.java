package io.jkraft.index;
import io.jkraft.common.Digest;

/**
 * A channel of a component, e.g. {@code stable} or {@code staging}: a moving resource.
 *
 * @param name       the channel's name
 * @param isDefault  whether a bare {@code NAME} (or {@code NAME@latest}) means this channel
 * @param latest     the version the channel is at, as the index says (informative), or null
 * @param resource   an archive URL, or a git URL (with an optional {@code ?branch=}/{@code ?tag=}); absolute
 *                   after {@code pkg update}
 * @param sha256     the archive's SHA-256, or null
 */
public record Channel(String name, boolean isDefault, String latest, String resource, Digest sha256) {}
