package io.jkraft.kraftfile;

import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads SnakeYAML nodes for one Kraftfile: typed access that fails with the node's location, mapping
 * entries with merge keys resolved and duplicates rejected, and interpolation of string scalars.
 */
final class NodeReader {

    /** One key of a mapping, with the key's node for locating errors about the key itself. */
    record Entry(String key, ScalarNode keyNode, Node value) {}

    /** Marks a node whose conversion is under way, to tell an alias cycle from a shared subtree. */
    private static final Object IN_PROGRESS = new Object();

    private final Path file;
    private final Path workingDir;
    private final Interpolator interpolator;

    /** @param workingDir where the user invoked jkraft; locations show the file relative to it */
    NodeReader(Path file, Path workingDir, Interpolator interpolator) {
        this.file = file;
        this.workingDir = workingDir;
        this.interpolator = interpolator;
    }

    Location at(Node node) {
        return at(node, 0);
    }

    /** The node's location moved right by {@code columns}, to point inside a one-line scalar. */
    Location at(Node node, int columns) {
        var mark = node.getStartMark();
        return mark == null
                ? Location.startOf(file, workingDir)
                : new Location(file, mark.getLine() + 1, mark.getColumn() + 1 + columns, workingDir);
    }

    KraftfileException error(Node node, String problem, String found, String expected, String hint) {
        return new KraftfileException(at(node), problem, found, expected, hint);
    }

    KraftfileException wrongType(Node node, String what, String expected) {
        return error(node, what + " has the wrong type", describe(node), expected,
                "write " + what + " as " + expected);
    }

    static boolean isNull(Node node) {
        return node == null || Tag.NULL.equals(node.getTag());
    }

    static boolean isExtension(String key) {
        return key.startsWith("x-");
    }

    /** The YAML type in the words error messages use. */
    static String typeName(Node node) {
        return switch (node) {
            case MappingNode m -> "mapping";
            case SequenceNode s -> "list";
            case ScalarNode s when Tag.NULL.equals(s.getTag()) -> "nothing";
            case ScalarNode s when Tag.INT.equals(s.getTag()) || Tag.FLOAT.equals(s.getTag()) -> "number";
            case ScalarNode s when Tag.BOOL.equals(s.getTag()) -> "boolean";
            default -> "string";
        };
    }

    /** The type plus, for a scalar, its text: what a "found ..." part shows. */
    static String describe(Node node) {
        if (node instanceof ScalarNode s && !isNull(s)) {
            String text = s.getValue().length() > 40 ? s.getValue().substring(0, 37) + "..." : s.getValue();
            return typeName(s) + " '" + text + "'";
        }
        return typeName(node);
    }

    /** A scalar's text with variables substituted; any non-null scalar counts as a string. */
    String string(Node node, String what) {
        if (!(node instanceof ScalarNode scalar) || isNull(node)) {
            throw wrongType(node, what, "a string");
        }
        return text(scalar);
    }

    /** Like {@link #string} but null for an empty value, which Kraftfiles use to mean "not set". */
    String optionalString(Node node, String what) {
        return isNull(node) ? null : string(node, what);
    }

    String text(ScalarNode scalar) {
        if (!Tag.STR.equals(scalar.getTag())) {
            return scalar.getValue();
        }
        try {
            return interpolator.apply(scalar.getValue());
        } catch (Interpolator.Invalid e) {
            throw new KraftfileException(at(scalar), e.getMessage(), e.found, e.expected, e.hint);
        }
    }

    MappingNode mapping(Node node, String what, String expected) {
        if (node instanceof MappingNode m) {
            return m;
        }
        throw wrongType(node, what, expected);
    }

    /** The entries of a mapping in file order, without {@code x-*} keys. */
    List<Entry> entries(MappingNode mapping) {
        return entries(mapping, false);
    }

    /**
     * The entries of a mapping in file order. Keys merged in with {@code <<} come first and yield to keys
     * written in the mapping itself, as YAML's merge key type specifies; a key written twice is an error,
     * because YAML parsers disagree on which one wins.
     */
    List<Entry> entries(MappingNode mapping, boolean withExtensions) {
        Map<String, Entry> result = new LinkedHashMap<>();
        collect(mapping, result, Collections.newSetFromMap(new IdentityHashMap<>()));
        return result.values().stream().filter(e -> withExtensions || !isExtension(e.key())).toList();
    }

    private void collect(MappingNode mapping, Map<String, Entry> into, Set<Node> merging) {
        if (!merging.add(mapping)) {
            throw error(mapping, "a merge key includes the mapping it is part of", "a recursive '<<'",
                    "mappings that do not include themselves",
                    "remove the '<<' entry that points back to its own anchor");
        }
        Map<String, Entry> merged = new LinkedHashMap<>();
        Map<String, Entry> own = new LinkedHashMap<>();
        for (NodeTuple tuple : mapping.getValue()) {
            Node keyNode = tuple.getKeyNode();
            if (Tag.MERGE.equals(keyNode.getTag())) {
                for (MappingNode source : mergeSources(tuple.getValueNode())) {
                    Map<String, Entry> part = new LinkedHashMap<>();
                    collect(source, part, merging);
                    part.forEach(merged::putIfAbsent);
                }
                continue;
            }
            if (!(keyNode instanceof ScalarNode keyScalar) || isNull(keyNode)) {
                throw error(keyNode, "a key must be a plain name", describe(keyNode), "a string key",
                        "write the key as a name followed by ':'");
            }
            String key = keyScalar.getValue();
            Entry first = own.get(key);
            if (first != null) {
                throw error(keyNode, "duplicate key '" + key + "'", "'" + key + "' a second time",
                        "each key once per mapping",
                        "remove one of the two '" + key + "' entries (the first is at line "
                                + at(first.keyNode()).line() + ")");
            }
            own.put(key, new Entry(key, keyScalar, tuple.getValueNode()));
        }
        merging.remove(mapping);
        merged.forEach(into::putIfAbsent);
        own.forEach(into::put);
    }

    private List<MappingNode> mergeSources(Node value) {
        if (value instanceof MappingNode m) {
            return List.of(m);
        }
        if (value instanceof SequenceNode s && s.getValue().stream().allMatch(n -> n instanceof MappingNode)) {
            return s.getValue().stream().map(MappingNode.class::cast).toList();
        }
        throw error(value, "a merge key '<<' needs a mapping", describe(value),
                "a mapping or a list of mappings (usually an alias like *base)", "point '<<' at an anchored mapping");
    }

    /** Fails on an unknown key, listing the known ones and suggesting the closest. */
    KraftfileException unknownKey(Entry entry, String where, List<String> known) {
        String closest = null;
        int best = 3;
        for (String candidate : known) {
            int distance = distance(entry.key(), candidate);
            if (distance < best) {
                best = distance;
                closest = candidate;
            }
        }
        String hint = (closest != null ? "did you mean '" + closest + "'? " : "")
                + "keys starting with 'x-' are ignored, use them for your own data";
        return error(entry.keyNode(), "unknown key" + where, "'" + entry.key() + "'",
                "one of " + String.join(", ", known), hint);
    }

    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    /**
     * A node as plain Java values (maps, lists, strings, numbers, booleans, null). Shared subtrees from
     * aliases are converted once, so alias bombs stay linear; an alias cycle is an error.
     */
    Object plain(Node node, Map<Node, Object> done) {
        if (done.containsKey(node)) {
            if (done.get(node) == IN_PROGRESS) {
                throw error(node, "an alias refers to a value that contains it", "a recursive alias",
                        "values that do not contain themselves", "remove the alias that points back to its anchor");
            }
            return done.get(node);
        }
        done.put(node, IN_PROGRESS);
        Object value = switch (node) {
            case ScalarNode s -> scalarValue(s);
            case SequenceNode s -> {
                List<Object> list = new ArrayList<>();
                s.getValue().forEach(item -> list.add(plain(item, done)));
                yield Collections.unmodifiableList(list);
            }
            case MappingNode m -> {
                Map<String, Object> map = new LinkedHashMap<>();
                entries(m, true).forEach(e -> map.put(e.key(), plain(e.value(), done)));
                yield Collections.unmodifiableMap(map);
            }
            default -> null;
        };
        done.put(node, value);
        return value;
    }

    /** A boolean scalar's value; YAML 1.1, which SnakeYAML resolves with, also spells them yes/no/on/off. */
    static boolean isTrue(ScalarNode s) {
        return Set.of("true", "yes", "on").contains(s.getValue().toLowerCase(Locale.ROOT));
    }

    private Object scalarValue(ScalarNode s) {
        String raw = s.getValue();
        Tag tag = s.getTag();
        if (Tag.NULL.equals(tag)) {
            return null;
        } else if (Tag.BOOL.equals(tag)) {
            return isTrue(s);
        } else if (Tag.INT.equals(tag)) {
            return integer(raw);
        } else if (Tag.FLOAT.equals(tag)) {
            try {
                return Double.parseDouble(raw.replace("_", "").replace(".inf", "Infinity").replace(".Inf", "Infinity")
                        .replace(".INF", "Infinity"));
            } catch (NumberFormatException e) {
                return raw;
            }
        }
        return text(s);
    }

    private static Object integer(String raw) {
        String digits = raw.replace("_", "");
        boolean negative = digits.startsWith("-");
        if (digits.startsWith("-") || digits.startsWith("+")) {
            digits = digits.substring(1);
        }
        int radix = 10;
        if (digits.startsWith("0x")) {
            radix = 16;
            digits = digits.substring(2);
        } else if (digits.startsWith("0o")) {
            radix = 8;
            digits = digits.substring(2);
        } else if (digits.startsWith("0b")) {
            radix = 2;
            digits = digits.substring(2);
        } else if (digits.length() > 1 && digits.startsWith("0")) {
            radix = 8; // YAML 1.1, which SnakeYAML resolves with
        }
        try {
            BigInteger value = new BigInteger(digits, radix);
            value = negative ? value.negate() : value;
            return value.bitLength() < 64 ? (Object) value.longValue() : value;
        } catch (NumberFormatException e) {
            return raw; // sexagesimal and other YAML 1.1 oddities stay as written
        }
    }
}
