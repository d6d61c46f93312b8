package io.jkraft.origin;

import io.jkraft.common.Digest;
import java.nio.file.Path;

/**
 * An origin archive placed where the core's make asked for it.
 *
 * @param key        its line in {@code Kraftfile.lock}: {@code <library>/<file name>}
 * @param url        the URL the library names
 * @param from       where it came from, as the user reads it: {@code the cache}, a folder, a URL
 * @param downloaded whether it came over the network (or a {@code file://} URL) this time
 */
public record FetchedOrigin(String key, String url, Path file, String from, Digest sha256, boolean downloaded) {
}
