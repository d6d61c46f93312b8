package io.jkraft.common;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A content digest as OCI writes it, {@code algorithm:hex}. jkraft computes and checks SHA-256 only, the one
 * algorithm every OCI registry and tool supports, so any other algorithm is refused when a digest is read
 * rather than when a blob fails to match it.
 *
 * <p>As JSON a digest is its OCI string, so records holding one read and write the documents unchanged.
 *
 * @param algorithm always {@link #SHA256}
 * @param hex       64 lower-case hex digits: a blob's file name, and what {@code sha256sum} prints
 */
public record Digest(String algorithm, String hex) {
    public static final String SHA256 = "sha256";
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
    private static final String HINT = "a digest is sha256: followed by 64 lower-case hex digits";

    public Digest {
        if (!SHA256.equals(algorithm) || hex == null || !SHA256_HEX.matcher(hex).matches()) {
            throw new IllegalArgumentException("not a SHA-256 digest: " + algorithm + ":" + hex);
        }
    }

    /**
     * Reads OCI's form, {@code sha256:<64 lower-case hex digits>}.
     *
     * @throws UserException saying what is wrong with {@code text}
     */
    @JsonCreator
    public static Digest parse(String text) {
        String why = problem(text);
        if (why != null) {
            throw new UserException("'" + text + "' is not a digest: " + why, HINT);
        }
        return new Digest(SHA256, text.substring(SHA256.length() + 1));
    }

    /** Whether {@link #parse} takes {@code text}; for callers that word the refusal in their own terms. */
    public static boolean isValid(String text) {
        return problem(text) == null;
    }

    private static String problem(String text) {
        if (text == null || text.isEmpty()) {
            return "it is empty";
        }
        int colon = text.indexOf(':');
        if (colon < 0) {
            return "it names no algorithm (it should start with 'sha256:')";
        }
        String algorithm = text.substring(0, colon);
        if (!algorithm.equals(SHA256)) {
            return "its algorithm is '" + algorithm + "', and jkraft checks sha256 digests only";
        }
        String hex = text.substring(colon + 1);
        if (hex.length() != 64) {
            return "it has " + hex.length() + " characters after 'sha256:', where 64 hex digits belong";
        }
        if (!SHA256_HEX.matcher(hex).matches()) {
            return "the characters after 'sha256:' are not all lower-case hex digits (0-9, a-f)";
        }
        return null;
    }

    /** Whether {@code hex} is a SHA-256 as {@code sha256sum} prints it: 64 hex digits, in either case. */
    public static boolean isSha256Hex(String hex) {
        return hex != null && SHA256_HEX.matcher(hex.toLowerCase(Locale.ROOT)).matches();
    }

    /**
     * The digest whose bare hex a user or an index wrote (a Kraftfile's {@code ?sha256=}, an index's
     * {@code sha256:}); check it with {@link #isSha256Hex} first to refuse it in the caller's words.
     */
    public static Digest ofSha256Hex(String hex) {
        if (!isSha256Hex(hex)) {
            throw new IllegalArgumentException("not 64 hex digits: " + hex);
        }
        return new Digest(SHA256, hex.toLowerCase(Locale.ROOT));
    }

    /** The SHA-256 of {@code bytes}. */
    public static Digest of(byte[] bytes) {
        return hasher().update(bytes).digest();
    }

    /** A SHA-256 computed as content goes by. */
    public static Hasher hasher() {
        return new Hasher();
    }

    /** OCI's form, {@code sha256:<hex>}: what manifests, registries' headers and references hold. */
    @JsonValue
    @Override
    public String toString() {
        return algorithm + ":" + hex;
    }

    /** A SHA-256 being computed; one thread's, like the {@link MessageDigest} it wraps. */
    public static final class Hasher {
        private final MessageDigest sha;

        private Hasher() {
            try {
                sha = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java runtime has SHA-256", e);
            }
        }

        public Hasher update(byte[] bytes) {
            sha.update(bytes);
            return this;
        }

        public Hasher update(byte[] bytes, int offset, int length) {
            sha.update(bytes, offset, length);
            return this;
        }

        /** Adds {@code text} as UTF-8. */
        public Hasher update(String text) {
            return update(text.getBytes(StandardCharsets.UTF_8));
        }

        /** A stream that writes to {@code out} and adds what it writes. */
        public OutputStream adding(OutputStream out) {
            return new DigestOutputStream(out, sha);
        }

        /** The digest of everything added; the hasher starts over empty. */
        public Digest digest() {
            return new Digest(SHA256, HexFormat.of().formatHex(sha.digest()));
        }
    }
}
