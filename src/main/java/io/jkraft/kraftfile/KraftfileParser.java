package io.jkraft.kraftfile;

import io.jkraft.common.UserException;
import io.jkraft.common.YamlWalker;
import io.jkraft.common.YamlWalker.Entry;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads a Kraftfile (spec v0.5 or v0.6) the way KraftKit does, but reports every problem with the file,
 * line and column it is at. Works on SnakeYAML's node tree rather than on bound objects because only the
 * nodes still know where they came from.
 */
public final class KraftfileParser {

    /** The names kraft recognises for a Kraftfile. */
    public static final List<String> FILE_NAMES =
            List.of("Kraftfile", "Kraftfile.yaml", "Kraftfile.yml", "kraft.yaml", "kraft.yml");

    public static final String DEFAULT_OUTDIR = ".unikraft/build";

    static final List<String> KEYS = List.of("spec", "specification", "name", "outdir", "unikraft", "template",
            "runtime", "rootfs", "cmd", "env", "libraries", "targets", "volumes", "labels");

    private static final String SPEC_HINT = "write 'spec: v0.6' as the first line of the Kraftfile";

    private final Path workingDir;

    /** A parser whose messages show files relative to this JVM's working folder. */
    public KraftfileParser() {
        this(Path.of("").toAbsolutePath());
    }

    /** @param workingDir the folder the user invoked jkraft in: messages show files relative to it */
    public KraftfileParser(Path workingDir) {
        this.workingDir = workingDir;
    }

    /**
     * The Kraftfile in {@code projectDir}, if any.
     *
     * @throws UserException when the folder has more than one of {@link #FILE_NAMES}: kraft refuses to
     *                       guess between them, and so do we, so both tools read the same file
     */
    public static Optional<Path> find(Path projectDir) {
        return new KraftfileParser().locate(projectDir);
    }

    /** {@link #find}, with messages relative to this parser's working folder. */
    public Optional<Path> locate(Path projectDir) {
        List<Path> found = FILE_NAMES.stream().map(projectDir::resolve).filter(Files::isRegularFile).toList();
        if (found.size() > 1) {
            throw new UserException(
                    Location.displayPath(projectDir, workingDir) + ": found more than one Kraftfile: "
                            + String.join(", ", found.stream().map(p -> p.getFileName().toString()).toList()),
                    "keep one of them and delete or rename the others");
        }
        return found.stream().findFirst();
    }

    /** Parses {@code file}, substituting variables from the process environment. */
    public Kraftfile parse(Path file) {
        return parse(file, System.getenv());
    }

    /** Parses {@code file}, substituting {@code ${VAR}} and filling valueless env entries from {@code environment}. */
    public Kraftfile parse(Path file, Map<String, String> environment) {
        return parse(file, read(file), environment);
    }

    /** Parses {@code text} as if it were the content of {@code file}; the file need not exist. */
    public Kraftfile parse(Path file, String text, Map<String, String> environment) {
        Node root = compose(file, text.startsWith("\uFEFF") ? text.substring(1) : text);
        NodeReader nodes = new NodeReader(file, workingDir, new Interpolator(environment));
        if (root == null) {
            throw new KraftfileException(Location.startOf(file, workingDir), "the Kraftfile is empty", "no content",
                    "a mapping with at least 'spec: v0.6'", SPEC_HINT);
        }
        if (!(root instanceof MappingNode top)) {
            throw nodes.error(root, "a Kraftfile must be a mapping of keys", YamlWalker.describe(root),
                    "a mapping of keys such as spec, name, unikraft, targets", SPEC_HINT);
        }
        List<Entry> entries = nodes.entries(top, true);
        String spec = spec(file, nodes, entries);
        SectionReader sections = new SectionReader(nodes, environment);

        String name = null;
        String outdir = null;
        Component unikraft = null;
        Component template = null;
        String runtime = null;
        String rootfs = null;
        List<String> cmd = List.of();
        Map<String, String> env = Map.of();
        Map<String, Component> libraries = Map.of();
        List<Target> targets = List.of();
        List<String> volumes = List.of();
        Map<String, String> labels = Map.of();
        Map<String, Object> extensions = new LinkedHashMap<>();
        Map<Node, Object> converted = new IdentityHashMap<>();

        for (Entry entry : entries) {
            Node value = entry.value();
            if (NodeReader.isExtension(entry.key())) {
                extensions.put(entry.key(), nodes.plain(value, converted));
                continue;
            }
            switch (entry.key()) {
                case "spec", "specification" -> {}
                case "name" -> name = nodes.optionalString(value, "'name'");
                case "outdir" -> outdir = nodes.optionalString(value, "'outdir'");
                case "unikraft" -> unikraft = YamlWalker.isNull(value) ? null
                        : sections.component("unikraft", value, "'unikraft'");
                case "template" -> template = YamlWalker.isNull(value) ? null
                        : sections.component("template", value, "'template'");
                case "runtime" -> runtime = nodes.optionalString(value, "'runtime'");
                case "rootfs" -> rootfs = nodes.optionalString(value, "'rootfs'");
                case "cmd" -> cmd = sections.cmd(value);
                case "env" -> env = sections.env(value);
                case "libraries" -> libraries = libraries(nodes, sections, value);
                case "targets" -> targets = sections.targets(value);
                case "volumes" -> volumes = sections.volumes(value);
                case "labels" -> labels = sections.labels(value);
                default -> throw nodes.unknownKey(entry, "", KEYS);
            }
        }
        return new Kraftfile(file, spec, name == null || name.isBlank() ? defaultName(file) : name,
                outdir == null || outdir.isBlank() ? DEFAULT_OUTDIR : outdir, unikraft, template, runtime, rootfs,
                cmd, env, libraries, targets, volumes, labels, Collections.unmodifiableMap(extensions));
    }

    private Node compose(Path file, String text) {
        try {
            return new Yaml(new LoaderOptions()).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            Location location = mark == null ? Location.startOf(file, workingDir)
                    : new Location(file, mark.getLine() + 1, mark.getColumn() + 1, workingDir);
            String context = e.getContext() == null ? "" : " (" + e.getContext() + ")";
            throw new KraftfileException(location, "invalid YAML" + context + ": " + e.getProblem(), null, null,
                    "check indentation and quoting here; "
                            + "quote values that contain ': ' or start with * & ! { [ or %", e);
        } catch (YAMLException e) {
            throw new KraftfileException(Location.startOf(file, workingDir), "invalid YAML: " + e.getMessage(), null, null,
                    "simplify the YAML: fewer aliases, a smaller file", e);
        }
    }

    /** The spec version, normalised to "v0.5" or "v0.6"; checked first because it decides how to read the rest. */
    private String spec(Path file, NodeReader nodes, List<Entry> entries) {
        Entry spec = null;
        for (Entry entry : entries) {
            if (entry.key().equals("spec") || entry.key().equals("specification")) {
                if (spec != null) {
                    throw nodes.error(entry.keyNode(), "the spec version is given twice",
                            "'" + entry.key() + "' after '" + spec.key() + "'", "one of spec or specification",
                            "remove '" + entry.key() + "'");
                }
                spec = entry;
            }
        }
        if (spec == null) {
            throw new KraftfileException(Location.startOf(file, workingDir), "missing spec version", "no 'spec' key",
                    "spec: v0.6 (or v0.5)", SPEC_HINT);
        }
        String text = nodes.string(spec.value(), "'" + spec.key() + "'");
        String bare = text.startsWith("v") ? text.substring(1) : text;
        return switch (bare) {
            case "0.5", "0.5.0" -> "v0.5";
            case "0.6", "0.6.0" -> "v0.6";
            default -> throw nodes.error(spec.value(), "unsupported spec version", "'" + text + "'", "v0.5 or v0.6",
                    "jkraft reads Kraftfiles of spec v0.5 and v0.6, like kraft v0.9; write 'spec: v0.6'");
        };
    }

    private static Map<String, Component> libraries(NodeReader nodes, SectionReader sections, Node node) {
        Map<String, Component> libraries = new LinkedHashMap<>();
        if (!YamlWalker.isNull(node)) {
            MappingNode mapping = nodes.mapping(node, "'libraries'",
                    "a mapping of library name to version, path, URL or {source, version, kconfig}");
            for (Entry entry : nodes.entries(mapping)) {
                String what = "library '" + entry.key() + "'";
                libraries.put(entry.key(), sections.component(entry.key(), entry.value(), what));
            }
        }
        return Collections.unmodifiableMap(libraries);
    }

    private static String defaultName(Path file) {
        Path folder = file.toAbsolutePath().normalize().getParent();
        return folder == null || folder.getFileName() == null ? "app" : folder.getFileName().toString();
    }

    private String read(Path file) {
        try {
            return Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new UserException(Location.displayPath(file, workingDir) + ": no such file",
                    "run jkraft in the project folder, or name the Kraftfile with its path");
        } catch (CharacterCodingException e) {
            throw new UserException(Location.displayPath(file, workingDir) + ": not valid UTF-8 text",
                    "save the Kraftfile as UTF-8");
        } catch (IOException e) {
            throw new UserException(Location.displayPath(file, workingDir) + ": cannot read: " + e.getMessage(),
                    "check that the file exists and is readable", e);
        }
    }
}
