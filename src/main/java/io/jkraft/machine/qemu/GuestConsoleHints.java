package io.jkraft.machine.qemu;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Turns known guest failures on the console into one actionable hint. The patterns are Unikraft's own
 * messages (lib/ukrandom, lib/ukboot, lib/ukallocbbuddy, lib/ukdebug, plat/common traps), checked in order
 * of how specific the advice is: a missing RNG, then memory, then any crash.
 */
public final class GuestConsoleHints {

    /**
     * What the hints need to know besides the console text.
     *
     * @param emulated    whether the guest ran under TCG
     * @param memoryBytes the guest's memory
     * @param consoleLog  where the full console log is, for the user to read
     */
    public record Context(boolean emulated, long memoryBytes, Path consoleLog) {}

    private static final Pattern HWRNG = Pattern.compile("Could not initialize the HWRNG.*");

    /** Boot-time allocation failures; "Failed to allocate fd" and the like are not about memory. */
    private static final List<Pattern> OUT_OF_MEMORY = List.of(
            Pattern.compile("(?i).*out of memory.*"),
            Pattern.compile(".*Failed to initialize memory allocator.*"),
            Pattern.compile(".*Could not (set the platform memory|initialize (auxiliary )?stack) allocator.*"),
            Pattern.compile(".*Failed to allocate (memory|stack|the auxiliary stack|and initialize TLS).*"),
            Pattern.compile(".*Init function at \\S+ returned error -12\\b.*"));

    private static final List<Pattern> CRASH = List.of(
            Pattern.compile(".*Assertion failure: .*"),
            Pattern.compile(".*Unikraft crash.*"),
            Pattern.compile(".*\\bPANIC\\b.*"),
            Pattern.compile(".*Unhandled Trap \\d+.*"),
            Pattern.compile(".*EL\\d (sync|invalid .*) trap caught.*"),
            Pattern.compile(".*\\bCrashing\\b.*"),
            // UKPLAT_CRASH is 3 in enum ukplat_gstate: ukboot prints it when an init function failed.
            Pattern.compile(".*Halting system \\(3\\).*"));

    private GuestConsoleHints() {}

    /** The hint for the first known failure on the console, if any. */
    public static Optional<String> hint(String console, Context context) {
        Optional<String> rng = firstLine(console, List.of(HWRNG));
        if (rng.isPresent()) {
            String how = context.emulated()
                    ? "QEMU's emulation (TCG) offers no RDSEED before QEMU 8.0"
                    : "the host CPU offers no RDSEED to the guest";
            return Optional.of("The guest needs a hardware random number generator (" + rng.get() + ") and "
                    + how + ": rebuild with `CONFIG_LIBUKRANDOM` not set (`--kconfig CONFIG_LIBUKRANDOM=n`) or use"
                    + (context.emulated() ? " KVM /" : "") + " a CPU with RDSEED");
        }
        Optional<String> memory = firstLine(console, OUT_OF_MEMORY);
        if (memory.isPresent()) {
            return Optional.of("The guest ran out of memory (" + memory.get() + "): try -M "
                    + mebibytes(2 * context.memoryBytes()) + "Mi");
        }
        return crashLine(console).map(line -> "The guest crashed (" + line + "); the full console log is "
                + context.consoleLog());
    }

    /** The console line that shows a guest crash, if any. */
    public static Optional<String> crashLine(String console) {
        return firstLine(console, CRASH);
    }

    private static Optional<String> firstLine(String console, List<Pattern> patterns) {
        return console.lines().map(GuestConsoleHints::message)
                .filter(line -> patterns.stream().anyMatch(p -> p.matcher(line).matches()))
                .findFirst();
    }

    /** The message without Unikraft's "[    0.103512] ERR:  [libukrandom] <random.c @   65> " prefix. */
    static String message(String line) {
        return line.strip().replaceFirst("^\\[\\s*[0-9.]+\\]\\s*", "")
                .replaceFirst("^[A-Za-z]+:\\s*\\[[^\\]]*\\]\\s*(<[^>]*>\\s*)?", "").strip();
    }

    private static long mebibytes(long bytes) {
        return Math.max(1, (bytes + (1 << 20) - 1) >> 20);
    }
}
