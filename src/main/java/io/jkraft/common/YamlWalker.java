package io.jkraft.common;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Walks SnakeYAML's node tree of one document, for the files users write by hand (Kraftfiles, index manifests):
 * every value keeps its line and column, which bound objects lose, so every error can say where it is.
 *
 * <p>Each kind of document words its own errors; the walker finds the place and hands it to the document's
 * {@link Problems}, so a Kraftfile's errors stay {@code KraftfileException}s and an index's stay its own.
 *
 * @param <E> what the document's errors are
 */
public final class YamlWalker<E extends RuntimeException> {

    /** A place in the document, 1-based as editors show it. */
    public record Place(int line, int column) {
        /** The place of a SnakeYAML mark, or null when there is none. */
        public static Place of(Mark mark) {
            return mark == null ? null : new Place(mark.getLine() + 1, mark.getColumn() + 1);
        }

        /** {@code line:column}, as compilers write it after the file's name. */
        @Override
        public String toString() {
            return line + ":" + column;
        }
    }

    /** One key of a mapping, with the key's node for locating errors about the key itself. */
    public record Entry(String key, ScalarNode keyNode, Node value) {}

    /** Makes a document's error for a problem at a place. */
    @FunctionalInterface
    public interface Problems<E extends RuntimeException> {
        /**
         * @param place    null when the parser gave no place (the document as a whole)
         * @param found    what the document has there, or null when the problem says it
         * @param expected what would have been valid there, or null
         */
        E at(Place place, String problem, String found, String expected, String hint);
    }

    private final Problems<E> problems;

    public YamlWalker(Problems<E> problems) {
        this.problems = problems;
    }

    /**
     * {@code problem: found F, expected E}, either part left out when null: the words after the place, the same
     * in every document's errors.
     */
    public static String message(String problem, String found, String expected) {
        StringBuilder message = new StringBuilder(problem);
        if (found != null || expected != null) {
            message.append(':');
            if (found != null) {
                message.append(" found ").append(found);
            }
            if (expected != null) {
                message.append(found != null ? ", expected " : " expected ").append(expected);
            }
        }
        return message.toString();
    }

    /** Where {@code node} starts; null for a node SnakeYAML gave no mark, or no node at all. */
    public Place place(Node node) {
        return place(node, 0);
    }

    /** Where {@code node} starts, moved right by {@code columns} to point inside a one-line scalar. */
    public Place place(Node node, int columns) {
        Place start = node == null ? null : Place.of(node.getStartMark());
        return start == null ? null : new Place(start.line(), start.column() + columns);
    }

    public E error(Node node, String problem, String found, String expected, String hint) {
        return error(node, 0, problem, found, expected, hint);
    }

    /** An error pointing {@code columns} into a one-line scalar. */
    public E error(Node node, int columns, String problem, String found, String expected, String hint) {
        return problems.at(place(node, columns), problem, found, expected, hint);
    }

    public E wrongType(Node node, String what, String expected) {
        return error(node, what + " has the wrong type", describe(node), expected, "write " + what + " as " + expected);
    }

    public static boolean isNull(Node node) {
        return node == null || Tag.NULL.equals(node.getTag());
    }

    /** The YAML type in the words error messages use. */
    public static String typeName(Node node) {
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
    public static String describe(Node node) {
        if (node instanceof ScalarNode s && !isNull(s)) {
            String text = s.getValue().length() > 40 ? s.getValue().substring(0, 37) + "..." : s.getValue();
            return typeName(s) + " '" + text + "'";
        }
        return typeName(node);
    }

    public MappingNode mapping(Node node, String what, String expected) {
        if (node instanceof MappingNode m) {
            return m;
        }
        throw wrongType(node, what, expected);
    }

    /**
     * The entries of a mapping in file order. Keys merged in with {@code <<} come first and yield to keys
     * written in the mapping itself, as YAML's merge key type specifies; a key written twice with two values
     * is an error, because YAML parsers disagree on which one wins (twice with one scalar value is taken once).
     */
    public List<Entry> entries(MappingNode mapping) {
        Map<String, Entry> result = new LinkedHashMap<>();
        collect(mapping, result, Collections.newSetFromMap(new IdentityHashMap<>()));
        return List.copyOf(result.values());
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
            if (first != null && sameScalar(first.value(), tuple.getValueNode())) {
                // Harmless and found in the wild (the catalog's nginx Kraftfile sets one kconfig option twice).
                continue;
            }
            if (first != null) {
                Place earlier = place(first.keyNode());
                throw error(keyNode, "duplicate key '" + key + "'", "'" + key + "' a second time",
                        "each key once per mapping", "remove one of the two '" + key + "' entries (the first is at"
                                + " line " + (earlier == null ? "?" : earlier.line()) + ")");
            }
            own.put(key, new Entry(key, keyScalar, tuple.getValueNode()));
        }
        merging.remove(mapping);
        merged.forEach(into::putIfAbsent);
        own.forEach(into::put);
    }

    private static boolean sameScalar(Node a, Node b) {
        return a instanceof ScalarNode x && b instanceof ScalarNode y && x.getValue().equals(y.getValue())
                && x.getTag().equals(y.getTag());
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
}
