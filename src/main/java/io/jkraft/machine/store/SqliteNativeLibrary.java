package io.jkraft.machine.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.zip.CRC32;

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
            Path copy = dir.resolve(identity(library)).resolve(NAME);
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

    /**
     * Names the library's content. CRC-32 and length tell versions of one library apart as well as a
     * cryptographic hash would here, and cost a fraction of SHA-256 in a JVM that has just started.
     */
    private static String identity(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return "%08x-%d".formatted(crc.getValue(), bytes.length);
    }
}
