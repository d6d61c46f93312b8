package io.jkraft.origin;

import io.jkraft.common.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What an archive must be: the checksums its library declares (checked as the core checks them: the declared value
 * is the start of the sum) and the sha256 recorded in {@code Kraftfile.lock}, if any.
 */
record ArchiveCheck(WgetRequest request, Optional<Digest> locked, String lockFile) {

    /** The outcome for one file: its sha256, and why it is refused, if it is. */
    record Verdict(Digest sha256, Optional<String> refusal, boolean lockDiffers) {
        boolean accepted() {
            return refusal.isEmpty();
        }
    }

    /** Whether a file found by name alone can be told to be the right one. */
    boolean verifiable() {
        return locked.isPresent() || !request.sums().isEmpty();
    }

    Verdict check(Path file) throws IOException {
        Map<String, MessageDigest> digests = new LinkedHashMap<>();
        digests.put("sha256", digest("sha256"));
        request.sums().keySet().forEach(a -> digests.computeIfAbsent(a, ArchiveCheck::digest));
        byte[] buffer = new byte[65536];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                for (MessageDigest d : digests.values()) {
                    d.update(buffer, 0, n);
                }
            }
        }
        Map<String, String> got = new LinkedHashMap<>();
        digests.forEach((a, d) -> got.put(a, HexFormat.of().formatHex(d.digest())));
        Digest sha256 = Digest.ofSha256Hex(got.get("sha256"));
        for (Map.Entry<String, String> declared : request.sums().entrySet()) {
            String actual = got.get(declared.getKey());
            if (!actual.startsWith(declared.getValue())) {
                return new Verdict(sha256, Optional.of(declared.getKey() + " differs from what the library declares ("
                        + request.sumVariable(declared.getKey()) + "): expected " + declared.getValue() + ", got " + actual),
                        false);
            }
        }
        if (locked.isPresent() && !locked.get().equals(sha256)) {
            return new Verdict(sha256, Optional.of("sha256 differs from the one " + lockFile + " records for "
                    + request.lockKey() + ": recorded " + locked.get().hex() + ", got " + sha256.hex()), true);
        }
        return new Verdict(sha256, Optional.empty(), false);
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(switch (algorithm) {
                case "sha1" -> "SHA-1";
                case "sha256" -> "SHA-256";
                case "sha512" -> "SHA-512";
                case "md5" -> "MD5";
                default -> throw new IllegalArgumentException(algorithm);
            });
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
