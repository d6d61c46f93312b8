package io.jkraft.common;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A value kraft names by one word and accepts by some aliases too ({@link Architecture}, {@link Platform}), and
 * the lookups over all of a type's values, written once.
 */
public interface KraftName {

    /** The name kraft writes. */
    String kraftName();

    /** The other names accepted for it. */
    List<String> aliases();

    /** The value a name or alias stands for, exactly as written. */
    static <E extends KraftName> Optional<E> byName(E[] values, String name) {
        return Arrays.stream(values).filter(v -> v.kraftName().equals(name) || v.aliases().contains(name)).findFirst();
    }

    /** A name the user gave: the value, or one error saying what is accepted ({@code what}: "architecture"). */
    static <E extends KraftName> E parse(E[] values, String name, String what) {
        return byName(values, name).orElseThrow(() -> new UserException("unknown " + what + " '" + name + "'",
                "use one of " + String.join(", ", kraftNames(values)) + " (aliases: "
                        + String.join(", ", allAliases(values)) + ")"));
    }

    /** Every kraft name, in the values' order. */
    static List<String> kraftNames(KraftName[] values) {
        return Arrays.stream(values).map(KraftName::kraftName).toList();
    }

    /** Every alias, in the order of the values they stand for. */
    static List<String> allAliases(KraftName[] values) {
        return Arrays.stream(values).flatMap(v -> v.aliases().stream()).toList();
    }

    /** Each alias with the name it stands for ({@code aarch64=arm64, ...}), sorted by alias. */
    static String aliasTable(KraftName[] values) {
        return Arrays.stream(values).flatMap(v -> v.aliases().stream().map(alias -> alias + "=" + v.kraftName()))
                .sorted().collect(Collectors.joining(", "));
    }
}
