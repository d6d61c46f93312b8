package io.jkraft.build;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Orders library folders for make's {@code L=} the way kraft does: libraries whose symbols others need
 * come first (C++ runtime, then a libc), the rest sorted by path so the order is stable.
 */
final class LibraryOrder {
    private static final List<String> FIRST = List.of("libcxxabi", "libcxx", "libunwind", "compiler-rt", "libgo");

    private LibraryOrder() {}

    static <T> List<T> order(Map<String, T> byName, java.util.function.Function<T, String> path) {
        Map<String, T> rest = new LinkedHashMap<>(byName);
        List<T> ordered = new ArrayList<>();
        for (String name : FIRST) {
            take(rest, name, ordered);
        }
        if (!take(rest, "musl", ordered) && take(rest, "newlib", ordered)) {
            take(rest, "pthread-embedded", ordered);
        }
        rest.values().stream().sorted(java.util.Comparator.comparing(path)).forEach(ordered::add);
        return ordered;
    }

    private static <T> boolean take(Map<String, T> from, String name, List<T> into) {
        T t = from.remove(name);
        if (t != null) {
            into.add(t);
        }
        return t != null;
    }
}
