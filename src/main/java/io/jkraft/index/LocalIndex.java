package io.jkraft.index;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.jkraft.common.Digest;
import io.jkraft.common.FileTrees;
import io.jkraft.common.UserException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The local copy of the configured indexes, which builds resolve against without any network:
 * <pre>
 * current -&gt; copies/&lt;id&gt;            a symlink, replaced by one rename when pkg update finishes
 * copies/&lt;id&gt;/index.yaml             every manifest inline, as a KraftKit index
 * copies/&lt;id&gt;/&lt;type&gt;s/&lt;name&gt;.yaml    one manifest per file, so a build reads only the ones it names
 * </pre>
 * Files are written as JSON, which is YAML too, so kraft's parser reads them as they are. A copy is
 * complete before {@code current} points to it; an update that fails or is killed leaves the old one.
 */
final class LocalIndex {
    private final Path root;
    private final Path current;

    LocalIndex(Path root) {
        this.root = root.toAbsolutePath().normalize();
        this.current = this.root.resolve("current");
    }

    Path root() {
        return root;
    }

    boolean exists() {
        return Files.isRegularFile(current.resolve(IndexReader.INDEX_FILE));
    }

    /** The manifest of {@code type/name}, reading only its file. */
    Optional<Manifest> find(ComponentType type, String name) {
        if (name.contains("/") || name.startsWith(".") || name.contains("\\")) {
            return Optional.empty();
        }
        Path file = current.resolve(type.folder()).resolve(name + ".yaml");
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw unreadable(e);
        }
        return Optional.of(new ManifestParser(file.toString(), null).parse(text).manifests().getFirst());
    }

    /** The names of one type, from the folder listing (no manifest is read). */
    List<String> names(ComponentType type) {
        Path dir = current.resolve(type.folder());
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml"))
                    .map(n -> n.substring(0, n.length() - ".yaml".length())).sorted().toList();
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw unreadable(e);
        }
    }

    /** Every manifest, in index order. */
    List<Manifest> all() {
        if (!exists()) {
            return List.of();
        }
        Path file = current.resolve(IndexReader.INDEX_FILE);
        try {
            return new ManifestParser(file.toString(), null).parse(Files.readString(file, StandardCharsets.UTF_8))
                    .manifests();
        } catch (IOException e) {
            throw unreadable(e);
        }
    }

    /** Writes a new copy and makes it current with one rename; on any failure the old copy stays. */
    void replace(List<Manifest> manifests) {
        Path copies = root.resolve("copies");
        String id = ProcessHandle.current().pid() + "-" + UUID.randomUUID();
        Path copy = copies.resolve(id);
        Path link = root.resolve(".current-" + id);
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        try {
            Files.createDirectories(copy);
            List<Map<String, Object>> inline = new ArrayList<>();
            for (Manifest m : manifests) {
                Map<String, Object> doc = document(m);
                inline.add(doc);
                Path dir = Files.createDirectories(copy.resolve(m.type().folder()));
                Files.writeString(dir.resolve(m.name() + ".yaml"), json.writeValueAsString(doc), StandardCharsets.UTF_8);
            }
            Map<String, Object> index = new LinkedHashMap<>();
            index.put("name", "jkraft local index");
            index.put("last_updated", Instant.now().toString());
            index.put("manifests", inline);
            Files.writeString(copy.resolve(IndexReader.INDEX_FILE), json.writeValueAsString(index), StandardCharsets.UTF_8);
            Files.createSymbolicLink(link, root.relativize(copy));
            Files.move(link, current, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(link);
                FileTrees.deleteRecursively(copy);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw new UserException("cannot write the local index copy in " + root + ": " + e,
                    "check that the folder is writable and has free space", e);
        }
        removeOtherCopies(copies, id);
    }

    /** Older copies go once the new one is current; one another process may still be reading is kept. */
    private static void removeOtherCopies(Path copies, String keep) {
        try (Stream<Path> all = Files.list(copies)) {
            List<Path> old = all.filter(p -> !p.getFileName().toString().equals(keep))
                    .sorted((a, b) -> Long.compare(modified(b), modified(a))).toList();
            for (Path p : old.subList(Math.min(1, old.size()), old.size())) {
                FileTrees.deleteRecursively(p);
            }
        } catch (IOException e) {
            // an old copy left behind is only disk space; the next update tries again
        }
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    private static Map<String, Object> document(Manifest m) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("name", m.name());
        doc.put("type", m.type().kraftName());
        putIfSet(doc, "description", m.description());
        putIfSet(doc, "origin", m.origin());
        putIfSet(doc, "provider", m.provider());
        List<Map<String, Object>> channels = new ArrayList<>();
        for (Channel c : m.channels()) {
            Map<String, Object> cm = new LinkedHashMap<>();
            cm.put("name", c.name());
            if (c.isDefault()) {
                cm.put("default", true);
            }
            putIfSet(cm, "latest", c.latest());
            cm.put("resource", c.resource());
            putIfSet(cm, "sha256", hex(c.sha256()));
            channels.add(cm);
        }
        if (!channels.isEmpty()) {
            doc.put("channels", channels);
        }
        List<Map<String, Object>> versions = new ArrayList<>();
        for (ManifestVersion v : m.versions()) {
            Map<String, Object> vm = new LinkedHashMap<>();
            vm.put("version", v.version());
            putIfSet(vm, "type", v.type());
            vm.put("resource", v.resource());
            putIfSet(vm, "sha256", hex(v.sha256()));
            putIfSet(vm, "unikraft", v.unikraft());
            versions.add(vm);
        }
        if (!versions.isEmpty()) {
            doc.put("versions", versions);
        }
        putIfSet(doc, ManifestParser.SOURCE_KEY, m.source());
        return doc;
    }

    /** An index names an archive by its bare hex, as sha256sum prints it. */
    private static String hex(Digest d) {
        return d == null ? null : d.hex();
    }

    private static void putIfSet(Map<String, Object> m, String key, String value) {
        if (value != null) {
            m.put(key, value);
        }
    }

    private UserException unreadable(IOException e) {
        return new UserException("cannot read the local index copy in " + root + ": " + e,
                "run jkraft pkg update to write it again", e);
    }
}
