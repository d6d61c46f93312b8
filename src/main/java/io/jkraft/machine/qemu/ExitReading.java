package io.jkraft.machine.qemu;

import io.jkraft.machine.api.MachineExit;
import io.jkraft.machine.api.MachineExit.Outcome;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * How a machine ended, read from what its state folder holds once QEMU is gone: the exit status, the files
 * jkraft left (a stop it asked for, a guest QEMU stopped for good) and what the guest and QEMU printed.
 */
final class ExitReading {
    private static final int MAX_LOG_BYTES = 1 << 20;

    private final QemuStateDir state;
    private final GuestConsoleHints.Context hints;

    ExitReading(QemuStateDir state, GuestConsoleHints.Context hints) {
        this.state = state;
        this.hints = hints;
    }

    MachineExit classify(int code) throws IOException {
        String console = readTail(state.consoleLog());
        if (Files.exists(state.guestStoppedFile())) {
            return stalledExit(code, Files.readString(state.guestStoppedFile()).strip(), console);
        }
        if (Files.exists(state.stopRequestedFile())) {
            return new MachineExit(code, Outcome.STOPPED, "stopped", null);
        }
        String hint = GuestConsoleHints.hint(console, hints).orElse(null);
        if (code == QemuCommand.GUEST_CRASH_STATUS) {
            return new MachineExit(code, Outcome.CRASHED, "the guest crashed", hint);
        }
        List<String> qemuLines = readTail(state.qemuLog()).lines().map(String::strip).filter(l -> !l.isEmpty())
                .toList();
        Optional<String> signalled = qemuLines.stream().filter(l -> l.contains("terminating on signal")).findFirst();
        if (code == 0 && signalled.isPresent()) {
            // QEMU exits 0 after SIGTERM/SIGINT/SIGHUP: someone other than jkraft stopped it.
            return new MachineExit(code, Outcome.FAILED, signalled.get(), null);
        }
        if (code == 0 || code == QemuCommand.GUEST_POWER_OFF_STATUS) {
            Optional<String> crash = GuestConsoleHints.crashLine(console);
            return crash.isPresent()
                    ? new MachineExit(code, Outcome.CRASHED, "the guest crashed: " + crash.get(), hint)
                    : new MachineExit(code, Outcome.POWERED_OFF, "the guest powered off", null);
        }
        if (code > 128) {
            return new MachineExit(code, Outcome.FAILED, "QEMU was killed by signal " + (code - 128), hint);
        }
        return new MachineExit(code, Outcome.FAILED,
                "QEMU exited with " + code + ": " + (qemuLines.isEmpty() ? "no message" : qemuLines.getFirst()), hint);
    }

    /** How a machine that QEMU stopped for good in {@code qemuState} ended, in QEMU's own words. */
    MachineExit stalledExit(int code, String qemuState, String console) throws IOException {
        String words = QemuLog.summary(readTail(state.qemuLog()));
        String detail = (qemuState.equals("guest-panicked") ? "the guest panicked" : "QEMU stopped the guest")
                + " (QEMU state " + qemuState + ")" + (words.isEmpty() ? "" : ": " + words);
        String hint;
        if (qemuState.equals("internal-error")) {
            // Only an accelerator stops a guest in internal-error (TCG aborts instead): on Linux, KVM.
            hint = "KVM cannot run this guest on this host (common under nested virtualisation): run it with -W to "
                    + "emulate it (TCG); QEMU's register dump is in " + state.qemuLog();
        } else {
            hint = GuestConsoleHints.hint(console, hints).orElse("QEMU's messages are in " + state.qemuLog());
        }
        Outcome outcome = qemuState.equals("guest-panicked") ? Outcome.CRASHED : Outcome.STALLED;
        return new MachineExit(code, outcome, detail, hint, qemuState);
    }

    /** The last megabyte of a log: enough for hints, bounded for a guest that printed for days. */
    static String readTail(Path file) throws IOException {
        if (!Files.exists(file)) {
            return "";
        }
        try (var channel = java.nio.channels.FileChannel.open(file)) {
            long size = channel.size();
            long from = Math.max(0, size - MAX_LOG_BYTES);
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate((int) (size - from));
            channel.read(buffer, from);
            return new String(buffer.array(), 0, buffer.position(), StandardCharsets.ISO_8859_1);
        }
    }

}
