package io.jkraft.index;

import io.jkraft.common.Digest;
import io.jkraft.common.UserException;
import io.jkraft.common.YamlWalker;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads KraftKit's index and manifest YAML. An index is {@code {name, last_updated, manifests: [...]}}
 * whose entries are either whole manifests or {@code {name, type, manifest: URL-or-relative-path}}; a
 * manifest is {@code {name, type, description, origin, provider, channels, versions}}. Unknown keys are
 * ignored, as kraft does; errors name {@code where:line:column}. A mapping is read as {@link YamlWalker} reads
 * every hand-written file: merge keys resolved, a key written twice refused (kraft's YAML parser refuses it too).
 */
final class ManifestParser {
    /** A manifest the index only points to. */
    record Reference(String name, ComponentType type, String manifest, String location) {}

    /** What one document holds: whole manifests and references to others. */
    record Parsed(List<Manifest> manifests, List<Reference> references) {}

    /** Where the local copy records which index source a manifest came from; kraft ignores the key. */
    static final String SOURCE_KEY = "x-jkraft-source";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]*");

    private final String where;
    private final String source;
    private final YamlWalker<UserException> walker;

    /**
     * @param where  the file or URL, for messages
     * @param source the index source the document belongs to, recorded on each manifest
     */
    ManifestParser(String where, String source) {
        this.where = where;
        this.source = source;
        this.walker = new YamlWalker<>((place, problem, found, expected, hint) ->
                new UserException(location(place) + ": " + YamlWalker.message(problem, found, expected), hint));
    }

    Parsed parse(String text) {
        Node root;
        try {
            LoaderOptions options = new LoaderOptions();
            // SnakeYAML's default limit (3 MiB) is below a large index's size; the whole local copy is one file
            options.setCodePointLimit(Integer.MAX_VALUE);
            root = new Yaml(options).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            throw new UserException(location(YamlWalker.Place.of(e.getProblemMark())) + ": not valid YAML: "
                    + e.getProblem(), "fix the YAML syntax");
        } catch (YAMLException e) {
            throw new UserException(where + ": not valid YAML: " + e.getMessage(), "fix the YAML syntax", e);
        }
        if (root == null) {
            throw new UserException(where + ": the file is empty", "an index needs 'manifests:', a manifest 'name:' and 'type:'");
        }
        Map<String, Node> top = mapping(root, "the document");
        if (top.containsKey("manifests")) {
            List<Manifest> manifests = new ArrayList<>();
            List<Reference> refs = new ArrayList<>();
            Node list = top.get("manifests");
            if (list instanceof ScalarNode s && s.getValue().isEmpty()) {
                return new Parsed(List.of(), List.of());
            }
            if (!(list instanceof SequenceNode seq)) {
                throw error(list, "'manifests' must be a list", "write one '- name: ...' entry per component");
            }
            for (Node entry : seq.getValue()) {
                Map<String, Node> m = mapping(entry, "a manifests entry");
                if (m.containsKey("manifest") && !m.containsKey("channels") && !m.containsKey("versions")) {
                    refs.add(new Reference(name(m, entry), type(m, entry), text(m, "manifest", true),
                            location(walker.place(m.get("manifest")))));
                } else {
                    manifests.add(manifest(m, entry));
                }
            }
            return new Parsed(manifests, refs);
        }
        return new Parsed(List.of(manifest(top, root)), List.of());
    }

    private Manifest manifest(Map<String, Node> m, Node at) {
        List<Channel> channels = new ArrayList<>();
        for (Node c : sequence(m.get("channels"), "channels")) {
            Map<String, Node> cm = mapping(c, "a channel");
            channels.add(new Channel(text(cm, "name", true, c), bool(cm.get("default")), text(cm, "latest", false),
                    text(cm, "resource", true, c), sha256(cm)));
        }
        List<ManifestVersion> versions = new ArrayList<>();
        for (Node v : sequence(m.get("versions"), "versions")) {
            Map<String, Node> vm = mapping(v, "a version");
            versions.add(new ManifestVersion(text(vm, "version", true, v), text(vm, "type", false),
                    text(vm, "resource", true, v), sha256(vm), text(vm, "unikraft", false)));
        }
        return new Manifest(name(m, at), type(m, at), text(m, "description", false), text(m, "origin", false),
                text(m, "provider", false), channels, versions,
                m.containsKey(SOURCE_KEY) ? text(m, SOURCE_KEY, true) : source);
    }

    private String name(Map<String, Node> m, Node at) {
        String name = text(m, "name", true, at);
        if (!NAME.matcher(name).matches()) {
            throw error(m.get("name"), "'" + name + "' is not a component name",
                    "use letters, digits, '.', '_', '+' and '-', starting with a letter or digit");
        }
        return name;
    }

    private ComponentType type(Map<String, Node> m, Node at) {
        String t = text(m, "type", true, at);
        ComponentType type = ComponentType.of(t);
        if (type == null) {
            throw error(m.get("type"), "unknown component type '" + t + "'",
                    "use one of core, arch, plat, lib, app");
        }
        return type;
    }

    private Digest sha256(Map<String, Node> m) {
        String s = text(m, "sha256", false);
        if (s != null && !Digest.isSha256Hex(s)) {
            throw error(m.get("sha256"), "sha256 '" + s + "' is not a SHA-256 digest",
                    "write the 64 hex digits printed by sha256sum");
        }
        return s == null ? null : Digest.ofSha256Hex(s);
    }

    private Map<String, Node> mapping(Node node, String what) {
        if (!(node instanceof MappingNode mn)) {
            throw error(node, what + " must be a mapping of 'key: value' lines", "see kraft's manifest format");
        }
        Map<String, Node> out = new LinkedHashMap<>();
        walker.entries(mn).forEach(e -> out.put(e.key(), e.value()));
        return out;
    }

    private List<Node> sequence(Node node, String key) {
        if (node == null || (node instanceof ScalarNode s && s.getValue().isEmpty())) {
            return List.of();
        }
        if (!(node instanceof SequenceNode seq)) {
            throw error(node, "'" + key + "' must be a list", "write one '- ...' entry per item");
        }
        return seq.getValue();
    }

    private String text(Map<String, Node> m, String key, boolean required) {
        return text(m, key, required, null);
    }

    private String text(Map<String, Node> m, String key, boolean required, Node at) {
        Node n = m.get(key);
        if (n == null || (n instanceof ScalarNode s && s.getValue().isBlank())) {
            if (required) {
                throw error(n != null ? n : at, "'" + key + "' is missing", "add '" + key + ": ...' to this entry");
            }
            return null;
        }
        if (!(n instanceof ScalarNode s)) {
            throw error(n, "'" + key + "' must be a single value", "write it as '" + key + ": value'");
        }
        return s.getValue().strip();
    }

    private boolean bool(Node n) {
        if (n == null) {
            return false;
        }
        if (n instanceof ScalarNode s) {
            switch (s.getValue().strip().toLowerCase(Locale.ROOT)) {
                case "true", "yes", "on" -> { return true; }
                case "false", "no", "off", "" -> { return false; }
                default -> { }
            }
        }
        throw error(n, "'default' must be true or false", "write 'default: true' on one channel");
    }

    private String location(YamlWalker.Place place) {
        return place == null ? where : where + ":" + place;
    }

    /** A problem at {@code node}, or at the document when there is none. */
    private UserException error(Node node, String message, String hint) {
        return walker.error(node, message, null, null, hint);
    }
}
