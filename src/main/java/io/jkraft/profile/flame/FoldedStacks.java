package io.jkraft.profile.flame;

import io.jkraft.profile.stack.Frame;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Sampled stacks counted in Brendan Gregg's folded format, which flamegraph.pl, speedscope and inferno read:
 * one line per distinct stack, {@code root;caller;...;leaf COUNT}, function names without offsets, lines sorted.
 * A ';' in a name would split it, so it becomes ':'; line breaks become blanks.
 */
public final class FoldedStacks {
    private final TreeMap<String, Long> counts = new TreeMap<>();

    /** Counts one walked stack (innermost frame first, as the unwinder gives it); an empty stack is not counted. */
    public void addFrames(List<Frame> innermostFirst) {
        List<String> names = new ArrayList<>(innermostFirst.size());
        for (Frame frame : innermostFirst) {
            names.add(frame.name());
        }
        Collections.reverse(names);
        add(names, 1);
    }

    /** Counts a stack given root first, {@code count} times. */
    public void add(List<String> rootFirst, long count) {
        if (rootFirst.isEmpty() || count <= 0) {
            return;
        }
        StringBuilder key = new StringBuilder();
        for (String name : rootFirst) {
            if (!key.isEmpty()) {
                key.append(';');
            }
            key.append(clean(name));
        }
        counts.merge(key.toString(), count, Long::sum);
    }

    /** The stacks (root first, joined by ';') and their counts, sorted by stack. */
    public SortedMap<String, Long> counts() {
        return Collections.unmodifiableSortedMap(counts);
    }

    /** All samples counted. */
    public long total() {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    /** The folded text, one {@code stack COUNT} line per stack. */
    public String format() {
        StringBuilder text = new StringBuilder();
        for (Map.Entry<String, Long> entry : counts.entrySet()) {
            text.append(entry.getKey()).append(' ').append(entry.getValue()).append('\n');
        }
        return text.toString();
    }

    /** Writes {@link #format()} to {@code file} (a temporary file renamed over it). */
    public void write(Path file) throws IOException {
        AtomicText.write(file, format());
    }

    /**
     * Reads folded text (as {@link #format()} or flamegraph.pl's stackcollapse scripts write it).
     *
     * @throws IllegalArgumentException naming the line that has no count after its last blank
     */
    public static FoldedStacks parse(String text) {
        FoldedStacks stacks = new FoldedStacks();
        int number = 0;
        for (String line : text.split("\n")) {
            number++;
            if (line.isBlank()) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            if (space <= 0) {
                throw new IllegalArgumentException("line " + number + ": no sample count after the stack: " + line);
            }
            try {
                long count = Long.parseLong(line.substring(space + 1).trim());
                stacks.add(List.of(line.substring(0, space).split(";")), count);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("line " + number + ": no sample count after the stack: " + line);
            }
        }
        return stacks;
    }

    private static String clean(String name) {
        return name.replace(';', ':').replace('\n', ' ').replace('\r', ' ');
    }
}
