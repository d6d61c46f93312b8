package io.jkraft.profile.flame;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Folded stacks as the tree a flame graph draws: each node one function in one calling context, its
 * {@code total} the samples of the stacks through it; children in name order (flamegraph.pl's order).
 */
record FlameTree(String name, long total, List<FlameTree> children) {

    static FlameTree of(FoldedStacks stacks) {
        Builder root = new Builder();
        for (Map.Entry<String, Long> entry : stacks.counts().entrySet()) {
            Builder node = root;
            node.total += entry.getValue();
            for (String name : entry.getKey().split(";")) {
                node = node.children.computeIfAbsent(name, n -> new Builder());
                node.total += entry.getValue();
            }
        }
        return root.build("all");
    }

    /** The number of levels below and including this node. */
    int depth() {
        int deepest = 0;
        for (FlameTree child : children) {
            deepest = Math.max(deepest, child.depth());
        }
        return deepest + 1;
    }

    private static final class Builder {
        private long total;
        private final TreeMap<String, Builder> children = new TreeMap<>();

        FlameTree build(String name) {
            List<FlameTree> built = new ArrayList<>(children.size());
            children.forEach((childName, child) -> built.add(child.build(childName)));
            return new FlameTree(name, total, List.copyOf(built));
        }
    }
}
