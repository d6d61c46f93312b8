package io.jkraft.origin;

/**
 * How a command fetches origin archives.
 *
 * @param updateLock accept an archive whose sha256 differs from its line in {@code Kraftfile.lock}, and record the new one
 *                   ({@code jkraft fetch --update-lock})
 * @param noCache    do not take archives from the shared cache (they are still stored there): {@code jkraft fetch --no-cache}
 */
public record OriginOptions(boolean updateLock, boolean noCache) {
    public static final OriginOptions DEFAULT = new OriginOptions(false, false);
}
