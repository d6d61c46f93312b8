package io.jkraft.index;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** Close names for a misspelt one ("did you mean: musl?"), by edit distance counting a swap as one edit. */
final class Suggestions {
    private Suggestions() {}

    /** At most three names within a distance that grows with the name's length, closest first. */
    static List<String> closest(String wanted, Collection<String> names) {
        String w = wanted.toLowerCase(Locale.ROOT);
        int limit = Math.max(1, Math.min(3, w.length() / 3));
        record Scored(String name, int distance) {}
        return names.stream().distinct()
                .map(n -> new Scored(n, distance(w, n.toLowerCase(Locale.ROOT), limit)))
                .filter(s -> s.distance() <= limit)
                .sorted(Comparator.comparingInt(Scored::distance).thenComparing(Scored::name))
                .limit(3).map(Scored::name).toList();
    }

    /**
     * Optimal string alignment distance (insertions, deletions, substitutions and adjacent swaps); returns
     * {@code limit + 1} early when the lengths alone differ by more than {@code limit}.
     */
    static int distance(String a, String b, int limit) {
        if (Math.abs(a.length() - b.length()) > limit) {
            return limit + 1;
        }
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
