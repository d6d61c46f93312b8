package io.jkraft.common;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The statuses jkraft exits with, and what each means; commands list theirs in {@code --help}. The launcher
 * scripts ({@code jkraft}, {@code scripts/helper-client.sh}) exit with some of them too, as
 * {@link #launcherExits()} says; a test keeps both in step.
 */
public enum ExitCode {
    SUCCESS(0, "success (run in the foreground: the guest shut down)", false),
    ERROR(1, "an error, explained in one message: bad input, a failed build, a machine that cannot do what was asked",
            false),
    NOT_STARTED(2, "the command did not start: its command line does not parse, or jkraft itself could not "
            + "(the launcher found no JDK 25, or jkraft's own build failed)", true),
    INTERNAL_ERROR(3, "a failure of jkraft's own (run again with --log-level debug and report it), or a resident "
            + "helper that stopped answering", true),
    GUEST_CRASHED(4, "the guest crashed or panicked", false),
    QEMU_FAILED(5, "QEMU failed", false),
    GUEST_STOPPED(6, "QEMU stopped the guest for good (an accelerator's internal error: try -W)", false),
    INTERRUPTED(130, "stopped by Ctrl-C; another signal ends it with 128 + the signal's number (SIGTERM 143)", false),
    OUTPUT_CLOSED(141, "its output was closed, as by | head (a foreground machine is then stopped)", false);

    /** A program a signal ended exits with this plus the signal's number, as shells report it. */
    public static final int SIGNAL_BASE = 128;

    private final int code;
    private final String meaning;
    private final boolean launcher;

    ExitCode(int code, String meaning, boolean launcher) {
        this.code = code;
        this.meaning = meaning;
        this.launcher = launcher;
    }

    public int code() {
        return code;
    }

    public String meaning() {
        return meaning;
    }

    /** Whether the launcher scripts exit with it themselves (before or around the JVM). */
    public boolean launcher() {
        return launcher;
    }

    /** The status of a command ended by signal {@code number}: 128 + the number. */
    public static int ofSignal(int number) {
        return SIGNAL_BASE + number;
    }

    /** The entry for a status, or empty when jkraft never exits with it. */
    public static Optional<ExitCode> of(int code) {
        return Arrays.stream(values()).filter(e -> e.code == code).findFirst();
    }

    /** The entries the launcher scripts exit with. */
    public static List<ExitCode> launcherExits() {
        return Arrays.stream(values()).filter(ExitCode::launcher).toList();
    }
}
