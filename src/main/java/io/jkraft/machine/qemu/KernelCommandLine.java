package io.jkraft.machine.qemu;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The guest's command line as Unikraft reads it: {@code [argv0] LIBPARAMS [env.vars=[ ... ]]
 * [vfs.fstab=[ ... ]] -- APPARGS}.
 *
 * <p>Unikraft splits the line at blanks, honouring double quotes and backslash escapes
 * (lib/ukargparse), then lets uklibparam consume the words before {@code --}. Library parameters from
 * the user are passed through unchanged because list values ({@code x=[ a b ]}) only work as separate
 * words; application arguments, environment entries and fstab entries are quoted so that each arrives
 * as exactly one word.
 *
 * <p>{@code --} is written only when there are library parameters: Unikraft strips a stop sequence
 * only when at least one parameter precedes it, so a bare {@code -- a} would give argv {@code [--, a]}.
 */
public final class KernelCommandLine {

    private static final Pattern PLAIN = Pattern.compile("[^\\s\"'\\\\]+");

    private KernelCommandLine() {}

    /**
     * The command line, or the empty string when there is nothing to pass.
     *
     * @param argv0      the first word (arm64: the boot loader passes no program name, so Unikraft would
     *                   take the first parameter as argv[0]); null on x86_64, where QEMU puts the kernel's
     *                   path first
     * @param kernelArgs library parameters in Unikraft's syntax, verbatim
     * @param env        environment variables, written sorted by name so the line is reproducible
     * @param fstab      vfs.fstab entries ({@code dev:mountpoint:fstype:flags:opts:ukopts})
     * @param appArgs    the application's arguments, one word each
     */
    public static String of(String argv0, List<String> kernelArgs, Map<String, String> env, List<String> fstab,
            List<String> appArgs) {
        List<String> params = new ArrayList<>(kernelArgs);
        if (!env.isEmpty()) {
            params.add(list("env.vars", new TreeMap<>(env).entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue()).toList()));
        }
        if (!fstab.isEmpty()) {
            params.add(list("vfs.fstab", fstab));
        }
        List<String> words = new ArrayList<>();
        if (argv0 != null) {
            words.add(quote(argv0));
        }
        words.addAll(params);
        if (!params.isEmpty()) {
            words.add("--");
        }
        appArgs.stream().map(KernelCommandLine::quote).forEach(words::add);
        return String.join(" ", words);
    }

    /**
     * One word as Unikraft's argument parser reads it back: unchanged when it has no blanks, quotes or
     * backslashes, else in double quotes with {@code "} and {@code \} escaped. An empty word cannot be
     * passed: Unikraft drops {@code ""}.
     */
    public static String quote(String word) {
        if (PLAIN.matcher(word).matches()) {
            return word;
        }
        return '"' + word.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    /**
     * A uklibparam list, {@code name=[ "a" "b c" ]}. Every entry is quoted, as kraft does for fstab; an
     * entry ending in {@code ]} would still end the list early, which Unikraft's syntax cannot avoid.
     */
    private static String list(String name, List<String> entries) {
        StringBuilder sb = new StringBuilder(name).append("=[");
        for (String entry : entries) {
            sb.append(' ').append('"').append(entry.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        }
        return sb.append(" ]").toString();
    }
}
