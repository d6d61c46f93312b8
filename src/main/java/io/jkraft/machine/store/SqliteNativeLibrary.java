package io.jkraft.machine.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Keeps one extracted copy of sqlite-jdbc's native library and points the driver at it. Left to
 * itself the driver writes the 1 MiB library to the temporary folder on every start (and leaves it
 * behind when the process is killed), which costs a CLI more than the rest of opening the store.
 */
final class SqliteNativeLibrary {
    private static final String NAME = "libsqlitejdbc.so";

    private SqliteNativeLibrary() {}

    /** Uses (or makes) the copy under {@code dir}; does nothing where the driver's own choice is safer. */
    static void useCopyIn(Path dir) {
        // The driver reads these two properties as its configuration; a user's own setting wins.
        if (System.getProperty("org.sqlite.lib.path") != null || !glibcLinux()) {
            return;
        }
        String resource = "/org/sqlite/native/Linux/" + arch() + "/" + NAME;
        try (InputStream in = SqliteNativeLibrary.class.getResourceAsStream(resource)) {
            if (in == null) {
                return;
            }
            byte[] library = in.readAllBytes();
            Path copy = dir.resolve(digest(library)).resolve(NAME);
            if (!Files.isRegularFile(copy) || Files.size(copy) != library.length) {
                Files.createDirectories(copy.getParent());
                Path tmp = Files.createTempFile(copy.getParent(), NAME, ".tmp");
                Files.write(tmp, library);
                Files.move(tmp, copy, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            System.setProperty("org.sqlite.lib.path", copy.getParent().toString());
            System.setProperty("org.sqlite.lib.name", NAME);
        } catch (IOException e) {
            // The driver's own extraction still works; this was only a shortcut.
        }
    }

    private static boolean glibcLinux() {
        return System.getProperty("os.name").equals("Linux")
                && !Files.exists(Path.of("/lib/ld-musl-x86_64.so.1")) && !Files.exists(Path.of("/lib/ld-musl-aarch64.so.1"));
    }

    private static String arch() {
        String a = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        return switch (a) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> a;
        };
    }

    private static String digest(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
