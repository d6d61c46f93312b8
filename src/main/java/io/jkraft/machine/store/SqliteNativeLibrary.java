package io.jkraft.machine.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.zip.CRC32;

/**
 * Keeps one extracted copy of sqlite-jdbc's native library and points the driver at it. Left to
 * itself the driver writes the 1 MiB library to the temporary folder on every start (and leaves it
 * behind when the process is killed), which costs a CLI more than the rest of opening the store.
 */
final class SqliteNativeLibrary {
    private static final String NAME = "libsqlitejdbc.so";
    private static final Duration GRACE = Duration.ofHours(1);

    private SqliteNativeLibrary() {}

    /** Uses (or makes) the copy under {@code dir}; does nothing where the driver's own choice is safer. */
    static void useCopyIn(Path dir) {
        // The driver reads these two properties as its configuration; a user's own setting wins.
        if (System.getProperty("org.sqlite.lib.path") != null || !glibcLinux()) {
            return;
        }
        String resource = "/org/sqlite/native/Linux/" + arch() + "/" + NAME;
        try {
            // The common case costs two stats: the copy made for this very jar is there.
            String jarIdentity = jarIdentity();
            if (jarIdentity != null && Files.isRegularFile(dir.resolve(jarIdentity).resolve(NAME))) {
                use(dir.resolve(jarIdentity));
                return;
            }
            byte[] library;
            try (InputStream in = SqliteNativeLibrary.class.getResourceAsStream(resource)) {
                if (in == null) {
                    return;
                }
                library = in.readAllBytes();
            }
            String identity = jarIdentity != null ? jarIdentity : contentIdentity(library);
            Path copy = dir.resolve(identity).resolve(NAME);
            if (!Files.isRegularFile(copy) || Files.size(copy) != library.length) {
                Files.createDirectories(copy.getParent());
                Path tmp = Files.createTempFile(copy.getParent(), NAME, ".tmp");
                Files.write(tmp, library);
                Files.move(tmp, copy, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                removeOtherCopies(dir, identity);
            }
            use(copy.getParent());
        } catch (IOException e) {
            // The driver's own extraction still works; this was only a shortcut.
        }
    }

    private static void use(Path folder) {
        System.setProperty("org.sqlite.lib.path", folder.toString());
        System.setProperty("org.sqlite.lib.name", NAME);
    }

    /**
     * Names the jar this class came from by size and modification time, or null when it did not come
     * from a jar (tests run from class folders). A new jkraft jar gets a new copy; reading and checking
     * the 1 MiB library from the jar on every start cost ~10 ms of the store's opening.
     */
    private static String jarIdentity() {
        try {
            var source = SqliteNativeLibrary.class.getProtectionDomain().getCodeSource();
            if (source == null || !source.getLocation().getProtocol().equals("file")) {
                return null;
            }
            Path jar = Path.of(source.getLocation().toURI());
            if (!Files.isRegularFile(jar)) {
                return null;
            }
            return "jar-%x-%x".formatted(Files.size(jar), Files.getLastModifiedTime(jar).toMillis());
        } catch (IOException | java.net.URISyntaxException | SecurityException | IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * Removes the copies made for earlier jars, once they are older than a grace period: a process still
     * running from an old jar keeps its mapping of the library, and one that is just starting finds it.
     */
    private static void removeOtherCopies(Path dir, String keep) {
        try (var folders = Files.list(dir)) {
            for (Path folder : folders.toList()) {
                if (!folder.getFileName().toString().equals(keep) && Files.isDirectory(folder)
                        && Files.getLastModifiedTime(folder).toInstant().isBefore(Instant.now().minus(GRACE))) {
                    try (var files = Files.list(folder)) {
                        for (Path f : files.toList()) {
                            Files.deleteIfExists(f);
                        }
                    }
                    Files.deleteIfExists(folder);
                }
            }
        } catch (IOException e) {
            // A copy left behind costs disk space only.
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
    private static String contentIdentity(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return "%08x-%d".formatted(crc.getValue(), bytes.length);
    }
}
