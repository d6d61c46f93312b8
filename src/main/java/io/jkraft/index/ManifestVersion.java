package io.jkraft.index;
import io.jkraft.common.Digest;

/**
 * A fixed version of a component.
 *
 * @param version  the version, e.g. {@code 0.17.0}
 * @param type     {@code semver} or {@code gitsha} (kraft's names), or null
 * @param resource an archive URL or a git URL, absolute after {@code pkg update}
 * @param sha256   the archive's SHA-256, or null
 * @param unikraft the core version this version goes with, or null
 */
public record ManifestVersion(String version, String type, String resource, Digest sha256, String unikraft) {}
