package io.jkraft.source;

import java.util.Objects;

/**
 * A git repository.
 *
 * @param url a URL JGit understands ({@code https://}, {@code http://}, {@code file://}, {@code ssh://},
 *            {@code git@host:path}), without jkraft's {@code ?branch=}-style query
 * @param ref a branch, tag or (possibly abbreviated) commit id, or null for the remote's default branch
 */
public record GitOrigin(String url, String ref) implements Origin {
    public GitOrigin {
        Objects.requireNonNull(url, "url");
    }

    @Override
    public String describe() {
        return ref == null ? url : url + " (" + ref + ")";
    }
}
