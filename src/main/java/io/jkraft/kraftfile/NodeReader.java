package io.jkraft.kraftfile;

import io.jkraft.common.YamlWalker;
import io.jkraft.common.YamlWalker.Entry;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads SnakeYAML nodes for one Kraftfile: typed access that fails with the node's location (through the shared
 * {@link YamlWalker}, which also resolves merge keys and rejects duplicates), and interpolation of string scalars.
 */
final class NodeReader {

    /** Marks a node whose conversion is under way, to tell an alias cycle from a shared subtree. */
    private static final Object IN_PROGRESS = new Object();

    private final Path file;
    private final Path workingDir;
    private final Interpolator interpolator;
    private final YamlWalker<KraftfileException> walker;

    /** @param workingDir where the user invoked jkraft; locations show the file relative to it */
    NodeReader(Path file, Path workingDir, Interpolator interpolator) {
        this.file = file;
        this.workingDir = workingDir;
        this.interpolator = interpolator;
        this.walker = new YamlWalker<>((place, problem, found, expected, hint) ->
                new KraftfileException(location(file, workingDir, place), problem, found, expected, hint));
    }

    /** Where a place of the file is; the file's start when the parser gave none. */
    static Location location(Path file, Path workingDir, YamlWalker.Place place) {
        return place == null ? Location.startOf(file, workingDir)
                : new Location(file, place.line(), place.column(), workingDir);
    }

    Location at(Node node) {
        return at(node, 0);
    }

    /** The node's location moved right by {@code columns}, to point inside a one-line scalar. */
    Location at(Node node, int columns) {
        return location(file, workingDir, walker.place(node, columns));
    }

    KraftfileException error(Node node, String problem, String found, String expected, String hint) {
        return walker.error(node, problem, found, expected, hint);
    }

    KraftfileException wrongType(Node node, String what, String expected) {
        return walker.wrongType(node, what, expected);
    }

    static boolean isExtension(String key) {
        return key.startsWith("x-");
    }

    /** A scalar's text with variables substituted; any non-null scalar counts as a string. */
    String string(Node node, String what) {
        if (!(node instanceof ScalarNode scalar) || YamlWalker.isNull(node)) {
            throw wrongType(node, what, "a string");
        }
        return text(scalar);
    }

    /** Like {@link #string} but null for an empty value, which Kraftfiles use to mean "not set". */
    String optionalString(Node node, String what) {
        return YamlWalker.isNull(node) ? null : string(node, what);
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
        return walker.mapping(node, what, expected);
    }

    /** The entries of a mapping in file order, without {@code x-*} keys. */
    List<Entry> entries(MappingNode mapping) {
        return entries(mapping, false);
    }

    /** The entries of a mapping in file order ({@link YamlWalker#entries}), with or without {@code x-*} keys. */
    List<Entry> entries(MappingNode mapping, boolean withExtensions) {
        return walker.entries(mapping).stream().filter(e -> withExtensions || !isExtension(e.key())).toList();
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
