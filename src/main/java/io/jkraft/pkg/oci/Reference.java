package io.jkraft.pkg.oci;

import io.jkraft.common.Digest;
import io.jkraft.common.UserException;
import java.util.regex.Pattern;

/**
 * An image reference as kraft reads it: {@code [registry/]repository[:tag][@sha256:hex]}, with
 * {@code unikraft.org} as the registry when the first path part does not look like a host, and
 * {@code latest} as the tag when neither a tag nor a digest is given.
 */
public record Reference(String registry, String repository, String tag, Digest digest) {
    public static final String DEFAULT_REGISTRY = "unikraft.org";
    public static final String DEFAULT_TAG = "latest";

    private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    private static final Pattern HOST = Pattern.compile(
            "(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?");

    public static Reference parse(String text) {
        if (text == null || text.isBlank()) {
            throw bad(text, "it is empty");
        }
        if (!text.equals(text.strip()) || text.chars().anyMatch(Character::isWhitespace)) {
            throw bad(text, "it contains white space");
        }
        String rest = text;
        Digest digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            String written = rest.substring(at + 1);
            rest = rest.substring(0, at);
            if (!Digest.isValid(written)) {
                throw bad(text, "the digest '" + written + "' is not sha256: followed by 64 lower-case hex digits");
            }
            digest = Digest.parse(written);
        }
        String tag = null;
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
            if (!TAG.matcher(tag).matches()) {
                throw bad(text, "the tag '" + tag + "' may hold only letters, digits, '_', '.' and '-' (at most 128)");
            }
        }
        String registry = DEFAULT_REGISTRY;
        int slash = rest.indexOf('/');
        if (slash > 0) {
            String first = rest.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost") || first.startsWith("[")) {
                if (!HOST.matcher(first).matches()) {
                    throw bad(text, "the registry '" + first + "' is not a host name with an optional port");
                }
                registry = first;
                rest = rest.substring(slash + 1);
            }
        }
        if (rest.isEmpty()) {
            throw bad(text, "it names no repository");
        }
        for (String part : rest.split("/", -1)) {
            if (!COMPONENT.matcher(part).matches()) {
                throw bad(text, part.isEmpty() ? "it has an empty path part"
                        : "'" + part + "' must be lower-case letters and digits, separated by '.', '_', '__' or '-'");
            }
        }
        if (tag == null && digest == null) {
            tag = DEFAULT_TAG;
        }
        return new Reference(registry, rest, tag, digest);
    }

    private static UserException bad(String text, String why) {
        return new UserException("'" + text + "' is not an image reference: " + why,
                "write it as [registry/]name[:tag][@sha256:digest], e.g. unikraft.org/helloworld:latest");
    }

    /** The repository with its registry, without tag or digest: kraft's {@code ref.Context().Name()}. */
    public String name() {
        return registry + "/" + repository;
    }

    @Override
    public String toString() {
        return name() + (tag == null ? "" : ":" + tag) + (digest == null ? "" : "@" + digest);
    }
}
