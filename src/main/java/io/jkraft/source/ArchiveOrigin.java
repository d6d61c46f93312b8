package io.jkraft.source;

import io.jkraft.common.Digest;
import java.net.URI;
import java.util.Objects;

/**
 * A source archive ({@code .tar}, {@code .tar.gz}, {@code .tgz}, {@code .tar.bz2}, {@code .tar.xz},
 * {@code .zip}) at an {@code http}, {@code https} or {@code file} URL.
 *
 * @param url    the archive's URL, without jkraft's {@code sha256} query parameter
 * @param sha256 the expected SHA-256 of the archive file, or null to trust whatever the URL serves the first
 *               time
 */
public record ArchiveOrigin(URI url, Digest sha256) implements Origin {
    public ArchiveOrigin {
        Objects.requireNonNull(url, "url");
    }

    @Override
    public String describe() {
        return url.toString();
    }
}
