package io.jkraft.kraftfile;

import java.util.Map;

/**
 * Substitutes variables in scalar values the way Docker Compose (and so kraft, which uses compose-go)
 * does: {@code $NAME}, {@code ${NAME}}, {@code ${NAME:-default}}, {@code ${NAME-default}},
 * {@code ${NAME:+alt}}, {@code ${NAME+alt}}, {@code ${NAME:?message}}, {@code ${NAME?message}}, and
 * {@code $$} for a literal dollar. An unset variable without a default becomes the empty string.
 */
final class Interpolator {

    /** A template that cannot be expanded; the parser adds the scalar's location. */
    static final class Invalid extends RuntimeException {
        final String found;
        final String expected;
        final String hint;

        Invalid(String problem, String found, String expected, String hint) {
            super(problem, null, false, false);
            this.found = found;
            this.expected = expected;
            this.hint = hint;
        }
    }

    private static final String FORMS = "$NAME, ${NAME}, ${NAME:-default} or $$ for a literal $";

    private final Map<String, String> environment;

    Interpolator(Map<String, String> environment) {
        this.environment = environment;
    }

    String apply(String text) {
        if (text.indexOf('$') < 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c != '$') {
                out.append(c);
                i++;
                continue;
            }
            char next = i + 1 < text.length() ? text.charAt(i + 1) : 0;
            if (next == '$') {
                out.append('$');
                i += 2;
            } else if (next == '{') {
                int close = matchingBrace(text, i + 2);
                if (close < 0) {
                    throw invalid(text.substring(i));
                }
                out.append(braced(text.substring(i + 2, close), text.substring(i, close + 1)));
                i = close + 1;
            } else if (isNameStart(next)) {
                int end = nameEnd(text, i + 1);
                out.append(environment.getOrDefault(text.substring(i + 1, end), ""));
                i = end;
            } else {
                throw invalid(text.substring(i, Math.min(text.length(), i + 2)));
            }
        }
        return out.toString();
    }

    private String braced(String inner, String whole) {
        int nameEnd = isNameStart(inner.isEmpty() ? 0 : inner.charAt(0)) ? nameEnd(inner, 0) : 0;
        if (nameEnd == 0) {
            throw invalid(whole);
        }
        String name = inner.substring(0, nameEnd);
        String value = environment.get(name);
        if (nameEnd == inner.length()) {
            return value == null ? "" : value;
        }
        String rest = inner.substring(nameEnd);
        boolean colon = rest.startsWith(":");
        String op = rest.substring(colon ? 1 : 0, Math.min(rest.length(), colon ? 2 : 1));
        String word = rest.substring(colon ? 2 : 1);
        // With a colon, an empty value counts as unset; without, only a truly absent variable does.
        boolean set = value != null && (!colon || !value.isEmpty());
        return switch (op) {
            case "-" -> set ? value : apply(word);
            case "+" -> set ? apply(word) : "";
            case "?" -> {
                if (set) {
                    yield value;
                }
                String message = apply(word);
                throw new Invalid(
                        "required variable " + name + " is " + (value == null ? "not set" : "empty")
                                + (message.isEmpty() ? "" : " (" + message + ")"),
                        "'" + whole + "'", name + " set in the environment",
                        "set " + name + " in the environment, or give a default with ${" + name + ":-default}");
            }
            default -> throw invalid(whole);
        };
    }

    private static Invalid invalid(String found) {
        return new Invalid("invalid variable substitution", "'" + found + "'", FORMS,
                "write $$ for a literal dollar sign");
    }

    /** Index of the brace closing a {@code ${} opened just before {@code from}, or -1. */
    private static int matchingBrace(String text, int from) {
        int depth = 0;
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '$' && i + 1 < text.length() && (text.charAt(i + 1) == '$' || text.charAt(i + 1) == '{')) {
                depth += text.charAt(i + 1) == '{' ? 1 : 0;
                i++;
            } else if (c == '}') {
                if (depth == 0) {
                    return i;
                }
                depth--;
            }
        }
        return -1;
    }

    private static boolean isNameStart(char c) {
        return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static int nameEnd(String text, int from) {
        int i = from;
        while (i < text.length() && (isNameStart(text.charAt(i)) || Character.isDigit(text.charAt(i)))) {
            i++;
        }
        return i;
    }
}
