package io.jkraft.origin;

import io.jkraft.common.Digest;
import io.jkraft.common.UserException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@code Kraftfile.lock}, beside the Kraftfile: the sha256 of each origin archive jkraft placed for the project, one
 * line each, sorted, so that a changed archive upstream or in a mirror is refused rather than built. Lines are
 * {@code <library>/<file> sha256:<hex> <url>}; {@code #} starts a comment.
 *
 * <p>Several targets of one build record at once: one instance per file (see {@link OriginArchives}) serialises them;
 * the file is replaced by rename, so a reader never sees half of it. Two jkraft processes recording into the same
 * project at the same moment may lose one's new line, which the next fetch records again.
 */
public final class OriginLock {
    public static final String FILE_NAME = "Kraftfile.lock";
    private static final String HEADER = """
            # Kraftfile.lock: the sha256 of each origin archive jkraft fetched for this project, written by jkraft.
            # An archive that differs from its line is refused; `jkraft fetch --update-lock` (or deleting the line) accepts it.
            """;

    record Entry(Digest sha256, String url) {}

    private final Path file;

    OriginLock(Path file) {
        this.file = file;
    }

    Path file() {
        return file;
    }

    synchronized Optional<Digest> recorded(String key) {
        return Optional.ofNullable(read().get(key)).map(Entry::sha256);
    }

    /** Records (or replaces) a line; rewrites the file only when something changed. */
    synchronized void record(String key, Digest sha256, String url) {
        Map<String, Entry> entries = read();
        Entry entry = new Entry(sha256, url);
        if (entry.equals(entries.get(key))) {
            return;
        }
        entries.put(key, entry);
        StringBuilder text = new StringBuilder(HEADER);
        entries.forEach((k, e) -> text.append(k).append(' ').append(e.sha256()).append(' ').append(e.url()).append('\n'));
        try {
            Path tmp = Files.createTempFile(file.getParent(), "." + FILE_NAME, ".tmp");
            try {
                Files.writeString(tmp, text);
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private Map<String, Entry> read() {
        Map<String, Entry> entries = new TreeMap<>();
        if (!Files.isRegularFile(file)) {
            return entries;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new UserException("cannot read " + file + ": " + e.getMessage(), null, e);
        }
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] fields = line.split("\\s+");
            if (fields.length < 2 || fields.length > 3 || !Digest.isValid(fields[1])
                    || !fields[1].startsWith(Digest.SHA256 + ":")) {
                throw new UserException(file + ":" + (i + 1) + ":1: expected '<library>/<file> sha256:<hex> <url>', found '"
                        + line + "'", "fix the line, or delete it and run jkraft fetch to record the archive again");
            }
            entries.put(fields[0], new Entry(Digest.parse(fields[1]), fields.length == 3 ? fields[2] : ""));
        }
        return entries;
    }
}
