package io.jkraft.machine.qemu;

import java.util.List;
import java.util.regex.Pattern;

/** Reads QEMU's own output (its stdout and stderr, {@link QemuStateDir#qemuLog()}) for one-line messages. */
final class QemuLog {

    /** QEMU's CPU dump ("RAX=...", "CS =...", "Code=...") and KVM's "extra data[n]" lines: not words. */
    private static final Pattern DUMP = Pattern.compile("^([A-Z][A-Za-z0-9]{0,5} *=|extra data\\[).*");
    private static final Pattern PROGRAM = Pattern.compile("^qemu-system-[a-z0-9_]+: ");

    private QemuLog() {}

    /** The log's non-empty lines, stripped, without QEMU's program-name prefix. */
    static List<String> lines(String log) {
        return log.lines().map(String::strip).filter(l -> !l.isEmpty())
                .map(l -> PROGRAM.matcher(l).replaceFirst("")).toList();
    }

    /** QEMU's first two messages, register dumps left out, joined: e.g. "KVM internal error. Suberror: 1; emulation failure". */
    static String summary(String log) {
        return String.join("; ", lines(log).stream().filter(l -> !DUMP.matcher(l).matches()).limit(2).toList());
    }
}
