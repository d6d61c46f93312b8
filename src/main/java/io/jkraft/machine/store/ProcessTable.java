package io.jkraft.machine.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The processes of this system, seen the way the reconciler needs: who is alive and with which argv.
 * Reads {@code /proc} where there is one, because the JDK's {@code ProcessHandle.Info} drops the
 * arguments of processes it cannot fully inspect; elsewhere (macOS) it falls back to the JDK.
 */
final class ProcessTable {
    private static final int MAX_ANCESTRY = 64;

    /** The proc file system, or null where there is none. */
    private final Path proc;

    ProcessTable(Path proc) {
        this.proc = proc;
    }

    static ProcessTable system() {
        Path proc = Path.of("/proc");
        return new ProcessTable(Files.isReadable(proc.resolve("self/cmdline")) ? proc : null);
    }

    /**
     * The argv of a live process; empty when it is gone, a zombie (whose cmdline the kernel empties), or
     * hidden from us.
     */
    List<String> arguments(long pid) {
        if (proc == null) {
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).map(ProcessTable::jdkArguments)
                    .orElse(List.of());
        }
        byte[] raw;
        try {
            raw = Files.readAllBytes(proc.resolve(Long.toString(pid)).resolve("cmdline"));
        } catch (IOException e) {
            return List.of();
        }
        List<String> args = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= raw.length; i++) {
            if (i == raw.length || raw[i] == 0) {
                if (i > start || i < raw.length) {
                    args.add(new String(raw, start, i - start, StandardCharsets.UTF_8));
                }
                start = i + 1;
            }
        }
        return args;
    }

    /** The pids of all processes we can see. */
    List<Long> pids() {
        if (proc == null) {
            try (Stream<ProcessHandle> all = ProcessHandle.allProcesses()) {
                return all.map(ProcessHandle::pid).toList();
            }
        }
        try (Stream<Path> entries = Files.list(proc)) {
            return entries.map(p -> p.getFileName().toString()).filter(ProcessTable::isNumber)
                    .map(Long::valueOf).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Whether {@code pid} is {@code ancestor} or runs below it. */
    boolean descendsFrom(long pid, long ancestor) {
        Optional<ProcessHandle> p = ProcessHandle.of(pid);
        for (int depth = 0; p.isPresent() && depth < MAX_ANCESTRY; depth++) {
            if (p.get().pid() == ancestor) {
                return true;
            }
            p = p.get().parent();
        }
        return false;
    }

    private static List<String> jdkArguments(ProcessHandle handle) {
        ProcessHandle.Info info = handle.info();
        List<String> args = new ArrayList<>();
        info.command().ifPresent(args::add);
        info.arguments().ifPresent(a -> args.addAll(List.of(a)));
        return args;
    }

    private static boolean isNumber(String s) {
        return !s.isEmpty() && s.chars().allMatch(Character::isDigit);
    }
}
