package io.jkraft.kraftfile;

import io.jkraft.common.Architecture;
import io.jkraft.common.Platform;
import io.jkraft.common.YamlWalker;
import io.jkraft.common.YamlWalker.Entry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.DumperOptions.ScalarStyle;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/** Reads the structured sections of a Kraftfile: components, Kconfig, targets, env, cmd, volumes, labels. */
final class SectionReader {

    private static final List<String> COMPONENT_KEYS = List.of("source", "version", "kconfig");
    private static final List<String> TARGET_KEYS =
            List.of("name", "platform", "plat", "architecture", "arch", "kernel", "kconfig");
    private static final List<String> VOLUME_KEYS = List.of("source", "destination");
    private static final String COMPONENT_FORMS = "a version, a path, a URL, or a mapping {source, version, kconfig}";
    private static final Pattern SCP_LIKE = Pattern.compile("^[\\w.-]+@[\\w.-]+:.+");

    private final NodeReader nodes;
    private final Map<String, String> environment;

    SectionReader(NodeReader nodes, Map<String, String> environment) {
        this.nodes = nodes;
        this.environment = environment;
    }

    /** A component written as a string or a mapping; an empty value means "the default". */
    Component component(String name, Node node, String what) {
        if (YamlWalker.isNull(node)) {
            return new Component(name, null, null, Map.of());
        }
        if (node instanceof ScalarNode scalar && !Tag.BOOL.equals(scalar.getTag())) {
            String text = nodes.text(scalar);
            return looksLikeSource(text)
                    ? new Component(name, text, null, Map.of())
                    : new Component(name, null, text, Map.of());
        }
        if (!(node instanceof MappingNode mapping)) {
            throw nodes.wrongType(node, what, COMPONENT_FORMS);
        }
        String source = null;
        String version = null;
        Map<String, String> kconfig = Map.of();
        for (Entry entry : nodes.entries(mapping)) {
            switch (entry.key()) {
                case "source" -> source = nodes.optionalString(entry.value(), what + " source");
                case "version" -> version = nodes.optionalString(entry.value(), what + " version");
                case "kconfig" -> kconfig = kconfig(entry.value(), what + " kconfig");
                default -> throw nodes.unknownKey(entry, " in " + what, COMPONENT_KEYS);
            }
        }
        return new Component(name, source, version, kconfig);
    }

    /**
     * Decides the string form by its shape, not by looking at the disk (kraft stats the path), so the same
     * Kraftfile means the same thing before and after a checkout creates the folder.
     */
    static boolean looksLikeSource(String text) {
        return text.startsWith("./") || text.startsWith("../") || text.startsWith("/") || text.startsWith("~")
                || text.equals(".") || text.equals("..") || text.contains("://") || SCP_LIKE.matcher(text).matches();
    }

    /** Kconfig options as a mapping or a list of {@code NAME=value}; names get {@code CONFIG_} if missing. */
    Map<String, String> kconfig(Node node, String what) {
        Map<String, String> options = new LinkedHashMap<>();
        switch (node) {
            case ScalarNode s when YamlWalker.isNull(s) -> {}
            case MappingNode mapping -> {
                for (Entry entry : nodes.entries(mapping)) {
                    options.put(configName(entry.key()), kconfigValue(entry));
                }
            }
            case SequenceNode list -> {
                for (Node item : list.getValue()) {
                    String text = nodes.string(item, "a " + what + " entry");
                    int equals = text.indexOf('=');
                    if (equals <= 0 || equals == text.length() - 1) {
                        String name = equals <= 0 ? "CONFIG_NAME" : text.substring(0, equals);
                        throw nodes.error(item, "a " + what + " entry needs a name and a value", "'" + text + "'",
                                "CONFIG_NAME=value", "write it as '" + name + "=y' (or =n, a number, a string)");
                    }
                    options.put(configName(text.substring(0, equals).strip()), text.substring(equals + 1).strip());
                }
            }
            default -> throw nodes.wrongType(node, what, "a mapping of options or a list of CONFIG_NAME=value");
        }
        return Collections.unmodifiableMap(options);
    }

    private String kconfigValue(Entry entry) {
        Node value = entry.value();
        if (YamlWalker.isNull(value) || !(value instanceof ScalarNode scalar)) {
            throw nodes.error(value, "kconfig option " + entry.key() + " needs a value", YamlWalker.describe(value),
                    "y, n, a number or a string", "write '" + entry.key() + ": y' (or n, a number, a quoted string)");
        }
        if (Tag.BOOL.equals(scalar.getTag())) {
            return NodeReader.isTrue(scalar) ? "y" : "n";
        }
        return nodes.text(scalar);
    }

    private static String configName(String key) {
        return key.startsWith("CONFIG_") ? key : "CONFIG_" + key;
    }

    List<Target> targets(Node node) {
        if (YamlWalker.isNull(node)) {
            return List.of();
        }
        if (!(node instanceof SequenceNode list)) {
            throw nodes.wrongType(node, "'targets'", "a list of targets such as qemu/x86_64");
        }
        return list.getValue().stream().map(this::target).toList();
    }

    private Target target(Node node) {
        if (node instanceof ScalarNode scalar && !YamlWalker.isNull(scalar)) {
            String text = nodes.text(scalar);
            int slash = text.indexOf('/');
            if (slash <= 0 || slash == text.length() - 1) {
                throw nodes.error(node, "a target needs a platform and an architecture", "'" + text + "'",
                        "platform/architecture such as qemu/x86_64", "write the target as '<platform>/<architecture>'");
            }
            return new Target(null, platform(scalar, text.substring(0, slash), 0),
                    architecture(scalar, text.substring(slash + 1), slash + 1), null, Map.of());
        }
        if (!(node instanceof MappingNode mapping)) {
            throw nodes.wrongType(node, "a target",
                    "platform/architecture or a mapping {name, platform, architecture, kconfig}");
        }
        String name = null;
        Platform platform = null;
        Architecture architecture = null;
        String kernel = null;
        Map<String, String> kconfig = Map.of();
        Entry platformEntry = null;
        Entry architectureEntry = null;
        for (Entry entry : nodes.entries(mapping)) {
            switch (entry.key()) {
                case "name" -> name = nodes.optionalString(entry.value(), "a target's name");
                case "kernel" -> kernel = nodes.optionalString(entry.value(), "a target's kernel");
                case "kconfig" -> kconfig = kconfig(entry.value(), "target kconfig");
                case "platform", "plat" -> {
                    requireOnce(platformEntry, entry, "platform");
                    platformEntry = entry;
                    ScalarNode value = scalarValue(entry, "a target's platform");
                    String text = nodes.text(value);
                    int slash = text.indexOf('/');
                    if (slash > 0) { // kraft accepts "plat: qemu/x86_64" in the mapping form too
                        requireOnce(architectureEntry, entry, "architecture");
                        architectureEntry = entry;
                        architecture = architecture(value, text.substring(slash + 1), slash + 1);
                        text = text.substring(0, slash);
                    }
                    platform = platform(value, text, 0);
                }
                case "architecture", "arch" -> {
                    requireOnce(architectureEntry, entry, "architecture");
                    architectureEntry = entry;
                    ScalarNode value = scalarValue(entry, "a target's architecture");
                    architecture = architecture(value, nodes.text(value), 0);
                }
                default -> throw nodes.unknownKey(entry, " in a target", TARGET_KEYS);
            }
        }
        if (platform == null || architecture == null) {
            String missing = platform == null ? "platform" : "architecture";
            throw nodes.error(mapping, "a target needs " + (platform == null ? "a " : "an ") + missing,
                    "no '" + missing + "' key",
                    missing + ": one of " + String.join(", ", platform == null ? Platform.kraftNames() : Architecture.kraftNames()),
                    "add '" + missing + ":' to this target");
        }
        return new Target(name, platform, architecture, kernel, kconfig);
    }

    private void requireOnce(Entry earlier, Entry entry, String kind) {
        if (earlier != null) {
            throw nodes.error(entry.keyNode(), "a target gives its " + kind + " twice",
                    "'" + entry.key() + "' after '" + earlier.key() + "'", "one of them",
                    "remove '" + entry.key() + "' or '" + earlier.key() + "'");
        }
    }

    private ScalarNode scalarValue(Entry entry, String what) {
        if (entry.value() instanceof ScalarNode s && !YamlWalker.isNull(s)) {
            return s;
        }
        throw nodes.wrongType(entry.value(), what, "a string");
    }

    private Platform platform(ScalarNode node, String value, int offset) {
        return Platform.byName(value).orElseThrow(() -> unknown(node, value, offset, "platform",
                Platform.kraftNames(), Platform.byName(value.toLowerCase(Locale.ROOT)).isPresent(), Platform.aliasTable()));
    }

    private Architecture architecture(ScalarNode node, String value, int offset) {
        return Architecture.byName(value).orElseThrow(() -> unknown(node, value, offset, "architecture",
                Architecture.kraftNames(), Architecture.byName(value.toLowerCase(Locale.ROOT)).isPresent(),
                Architecture.aliasTable()));
    }

    private KraftfileException unknown(ScalarNode node, String value, int offset, String kind, List<String> known,
            boolean knownInLowerCase, String aliases) {
        String hint = knownInLowerCase
                ? "names are case-sensitive: write '" + value.toLowerCase(Locale.ROOT) + "'"
                : "use one of " + String.join(", ", known) + " (aliases: " + aliases + ")";
        return new KraftfileException(nodes.at(node, columnOffset(node, offset)), "unknown " + kind, "'" + value + "'",
                "one of " + String.join(", ", known), hint);
    }

    /** How far into the scalar's source text a character of its value is, or 0 when that is not knowable. */
    private static int columnOffset(ScalarNode node, int index) {
        String value = node.getValue();
        if (index == 0 || value.contains("$") || value.contains("\n")) {
            return 0;
        }
        ScalarStyle style = node.getScalarStyle();
        if (style == ScalarStyle.PLAIN) {
            return index;
        }
        boolean quotedVerbatim = (style == ScalarStyle.SINGLE_QUOTED && !value.contains("'"))
                || (style == ScalarStyle.DOUBLE_QUOTED && !value.contains("\\") && !value.contains("\""));
        return quotedVerbatim ? index + 1 : 0;
    }

    List<String> cmd(Node node) {
        if (YamlWalker.isNull(node)) {
            return List.of();
        }
        if (node instanceof ScalarNode scalar) {
            String text = nodes.text(scalar);
            try {
                return List.copyOf(ShellWords.split(text));
            } catch (IllegalArgumentException e) {
                throw nodes.error(node, "unterminated quote in 'cmd'",
                        "an opening " + e.getMessage() + " without its closing one",
                        "matching quotes", "close the quote, or write 'cmd' as a list of arguments");
            }
        }
        return stringList(node, "'cmd'", "an argument of 'cmd'", "a command line string or a list of arguments");
    }

    /** Environment variables; a name without a value takes the host's value, or null when the host has none. */
    Map<String, String> env(Node node) {
        Map<String, String> env = new LinkedHashMap<>();
        switch (node) {
            case ScalarNode s when YamlWalker.isNull(s) -> {}
            case SequenceNode list -> {
                for (Node item : list.getValue()) {
                    String text = nodes.string(item, "an 'env' entry");
                    int equals = text.indexOf('=');
                    if (equals == 0 || text.isBlank()) {
                        throw nodes.error(item, "an 'env' entry needs a name", "'" + text + "'", "NAME=value or NAME",
                                "write the variable's name before '='");
                    }
                    String name = equals < 0 ? text : text.substring(0, equals);
                    env.put(name, equals < 0 ? environment.get(name) : text.substring(equals + 1));
                }
            }
            case MappingNode mapping -> {
                for (Entry entry : nodes.entries(mapping)) {
                    String value = nodes.optionalString(entry.value(), "the value of " + entry.key());
                    env.put(entry.key(), value == null || value.isEmpty() ? environment.get(entry.key()) : value);
                }
            }
            default -> throw nodes.wrongType(node, "'env'", "a list of NAME=value or a mapping of NAME: value");
        }
        return Collections.unmodifiableMap(env);
    }

    List<String> volumes(Node node) {
        if (YamlWalker.isNull(node)) {
            return List.of();
        }
        if (node instanceof ScalarNode scalar) {
            return List.of(nodes.text(scalar));
        }
        if (!(node instanceof SequenceNode list)) {
            throw nodes.wrongType(node, "'volumes'", "a list of host:guest strings");
        }
        List<String> volumes = new ArrayList<>();
        for (Node item : list.getValue()) {
            volumes.add(item instanceof MappingNode mapping ? volume(mapping) : nodes.string(item, "a volume"));
        }
        return List.copyOf(volumes);
    }

    private String volume(MappingNode mapping) {
        String source = null;
        String destination = null;
        for (Entry entry : nodes.entries(mapping)) {
            switch (entry.key()) {
                case "source" -> source = nodes.optionalString(entry.value(), "a volume's source");
                case "destination" -> destination = nodes.optionalString(entry.value(), "a volume's destination");
                default -> throw nodes.unknownKey(entry, " in a volume", VOLUME_KEYS);
            }
        }
        if (source == null) {
            throw nodes.error(mapping, "a volume needs a source", "no 'source' key", "source: <host path>",
                    "add 'source:' to this volume");
        }
        return destination == null ? source : source + ":" + destination;
    }

    Map<String, String> labels(Node node) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (!YamlWalker.isNull(node)) {
            for (Entry entry : nodes.entries(nodes.mapping(node, "'labels'", "a mapping of name: value"))) {
                String value = nodes.optionalString(entry.value(), "label " + entry.key());
                labels.put(entry.key(), value == null ? "" : value);
            }
        }
        return Collections.unmodifiableMap(labels);
    }

    List<String> stringList(Node node, String what, String itemWhat, String expected) {
        if (!(node instanceof SequenceNode list)) {
            throw nodes.wrongType(node, what, expected);
        }
        return list.getValue().stream().map(item -> nodes.string(item, itemWhat)).toList();
    }
}
