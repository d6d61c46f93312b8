package io.jkraft.index;

import java.util.Comparator;

/**
 * Orders version strings the way semantic versioning does: {@code 0.10.0 > 0.9.1}, a pre-release below its
 * release ({@code 1.0.0-rc.1 < 1.0.0}), build metadata ({@code +...}) ignored. A leading {@code v} is
 * allowed. Strings that are not semantic versions still get a total order: dot-separated parts compare as
 * numbers where both are numbers, numbers below words, words alphabetically.
 */
final class SemanticVersion {
    private SemanticVersion() {}

    static final Comparator<String> ORDER = SemanticVersion::compare;

    static int compare(String a, String b) {
        String x = strip(a);
        String y = strip(b);
        int dx = x.indexOf('-');
        int dy = y.indexOf('-');
        int c = compareDotted(dx < 0 ? x : x.substring(0, dx), dy < 0 ? y : y.substring(0, dy), true);
        if (c != 0) {
            return c;
        }
        if (dx < 0 || dy < 0) {
            return Boolean.compare(dx < 0, dy < 0);
        }
        return compareDotted(x.substring(dx + 1), y.substring(dy + 1), false);
    }

    private static String strip(String v) {
        String s = v.strip();
        int plus = s.indexOf('+');
        if (plus >= 0) {
            s = s.substring(0, plus);
        }
        if (s.length() > 1 && (s.charAt(0) == 'v' || s.charAt(0) == 'V') && Character.isDigit(s.charAt(1))) {
            s = s.substring(1);
        }
        return s;
    }

    /**
     * @param padWithZeros the release part: {@code 1.0 == 1.0.0}; in a pre-release more identifiers rank
     *                     higher ({@code rc.1 > rc})
     */
    private static int compareDotted(String a, String b, boolean padWithZeros) {
        String[] pa = a.split("\\.", -1);
        String[] pb = b.split("\\.", -1);
        int n = Math.max(pa.length, pb.length);
        for (int i = 0; i < n; i++) {
            if (i >= pa.length || i >= pb.length) {
                if (!padWithZeros) {
                    return Integer.compare(pa.length, pb.length);
                }
                String other = i >= pa.length ? pb[i] : pa[i];
                int c = comparePart("0", other);
                if (c != 0) {
                    return i >= pa.length ? c : -c;
                }
                continue;
            }
            int c = comparePart(pa[i], pb[i]);
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    private static int comparePart(String a, String b) {
        boolean na = isNumber(a);
        boolean nb = isNumber(b);
        if (na && nb) {
            String ta = a.replaceFirst("^0+(?=.)", "");
            String tb = b.replaceFirst("^0+(?=.)", "");
            return ta.length() != tb.length() ? Integer.compare(ta.length(), tb.length()) : ta.compareTo(tb);
        }
        if (na != nb) {
            return na ? -1 : 1;
        }
        return a.compareTo(b);
    }

    private static boolean isNumber(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (!Character.isDigit(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
