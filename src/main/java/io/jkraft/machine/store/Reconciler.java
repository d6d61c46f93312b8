package io.jkraft.machine.store;

import io.jkraft.common.UserException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Makes the records tell the truth. VMMs end while no jkraft process watches, jkraft processes die
 * half-way, and pids are reused, so a record's status is only what was true when it was written.
 *
 * <ul>
 *   <li>{@code running}/{@code paused}, but the pid is gone, a zombie, or runs a program without the
 *       machine's {@link VmmMarker}: {@code exited} with the code from the exit code file, or
 *       {@code errored} when there is none. Left alone while a live jkraft process owns the machine: that
 *       process waits for the VMM and records its end itself.</li>
 *   <li>{@code created}, owned by a jkraft process that is gone: that process died between create and
 *       start, so {@code errored}. A created machine nobody owns (create without start) stays.</li>
 * </ul>
 *
 * Every correction is a compare-and-set on what was read, so a concurrent start or stop always wins, and frees
 * the machine's network addresses in its transaction (a kill -9 of QEMU or jkraft releases them at the next look).
 */
public final class Reconciler {
    /** How long a waiter that outlived its VMM may take to record the exit code. */
    private static final Duration WAITER_GRACE = Duration.ofSeconds(5);

    private static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private final MachineStore store;
    private final ProcessTable processes;
    private final VmmMarker marker;

    public Reconciler(MachineStore store) {
        this(store, ProcessTable.system());
    }

    Reconciler(MachineStore store, ProcessTable processes) {
        this.store = store;
        this.processes = processes;
        this.marker = store.marker();
    }

    /** Corrects every out-of-date record; returns the corrected records as they are now. */
    public List<MachineRecord> reconcile() {
        List<MachineRecord> changed = new ArrayList<>();
        List<MachineRecord> records = store.list();
        for (MachineRecord r : records) {
            correct(r).ifPresent(changed::add);
        }
        endAbandonedStarts(records);
        return changed;
    }

    /**
     * Ends the paused VMMs of runs that were killed after starting the VMM and before recording the
     * machine (see {@link StartIntent}), and removes their folders: the machine never existed.
     */
    private void endAbandonedStarts(List<MachineRecord> records) {
        Set<String> recorded = new HashSet<>();
        records.forEach(r -> recorded.add(r.id()));
        List<Path> abandoned = new ArrayList<>();
        try (Stream<Path> entries = Files.list(store.runtimeRoot())) {
            entries.filter(p -> UUID.matcher(p.getFileName().toString()).matches())
                    .filter(p -> !recorded.contains(p.getFileName().toString()))
                    .filter(StartIntent::abandoned)
                    .forEach(abandoned::add);
        } catch (IOException e) {
            return; // no runtime folder yet
        }
        for (Path folder : abandoned) {
            String id = folder.getFileName().toString();
            // The record may have appeared since the listing: then the folder is its machine's.
            if (store.byId(id).isPresent()) {
                continue;
            }
            endStaleProcesses(id, Duration.ofSeconds(5));
            MachineStore.deleteTree(folder);
        }
    }

    /** Whether the record's VMM is alive and really is that machine's VMM. */
    public boolean vmmAlive(MachineRecord r) {
        return r.pid() != null && marker.marks(processes.arguments(r.pid()), r.id());
    }

    private Optional<MachineRecord> correct(MachineRecord r) {
        boolean ownerAlive = r.owner() != null && r.owner().isAlive();
        if (r.status() == MachineStatus.CREATED) {
            if (r.owner() == null || ownerAlive) {
                return Optional.empty();
            }
            return store.settle(r, MachineStatus.ERRORED, null,
                    "jkraft process " + r.owner().pid() + " ended before the machine started");
        }
        if (!r.status().claimsProcess() || vmmAlive(r)) {
            return Optional.empty();
        }
        ExitCode exit = readExitCode(r.exitCodeFile());
        if (exit.code() == null && markedProcessAlive(r)) {
            // Typically the waiter, between QEMU's end and its writing of the exit code: give it a moment
            // rather than calling the machine errored.
            exit = awaitExitCode(r.exitCodeFile());
        } else if (exit.code() == null) {
            // The waiter may have written the code and ended between the first look and the process scan.
            exit = readExitCode(r.exitCodeFile());
        }
        if (exit.code() != null) {
            return store.settle(r, MachineStatus.EXITED, exit.code(), null);
        }
        if (ownerAlive) {
            return Optional.empty();
        }
        String what = r.pid() == null ? "no VMM pid was recorded"
                : processes.arguments(r.pid()).isEmpty() ? "the VMM (pid " + r.pid() + ") vanished"
                : "the VMM (pid " + r.pid() + ") vanished; the pid now runs another program";
        return store.settle(r, MachineStatus.ERRORED, null, what + exit.note());
    }

    /** Whether any live process carries this machine's marker (QEMU, or the waiter that records its exit). */
    private boolean markedProcessAlive(MachineRecord r) {
        long self = ProcessHandle.current().pid();
        for (long pid : processes.pids()) {
            if (pid != self && marker.marks(processes.arguments(pid), r.id())) {
                return true;
            }
        }
        return false;
    }

    private static ExitCode awaitExitCode(Path file) {
        long deadline = System.nanoTime() + WAITER_GRACE.toNanos();
        ExitCode exit = readExitCode(file);
        while (exit.code() == null && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            exit = readExitCode(file);
        }
        return exit;
    }

    /** The exit code a VMM's waiter left, or why there is none ({@link VmmMarker} has the convention). */
    private record ExitCode(Integer code, String note) {}

    private static ExitCode readExitCode(Path file) {
        try {
            return new ExitCode(Integer.parseInt(Files.readString(file).strip()), "");
        } catch (NoSuchFileException e) {
            return new ExitCode(null, " without leaving an exit code");
        } catch (IOException | NumberFormatException e) {
            return new ExitCode(null, "; its exit code file is unreadable (" + e.getMessage() + ")");
        }
    }

    /**
     * VMM processes of this store that no record accounts for. Processes of a machine that a live jkraft
     * process owns are being started or stopped right now and do not count.
     */
    public List<StaleProcess> staleProcesses() {
        Map<String, MachineRecord> records = store.list().stream()
                .collect(Collectors.toMap(MachineRecord::id, Function.identity()));
        long self = ProcessHandle.current().pid();
        List<StaleProcess> stale = new ArrayList<>();
        for (long pid : processes.pids()) {
            List<String> argv = pid == self ? List.of() : processes.arguments(pid);
            Optional<String> id = marker.machineId(argv);
            if (id.isEmpty()) {
                continue;
            }
            MachineRecord r = records.get(id.get());
            String reason = staleReason(pid, r, id.get());
            if (reason != null) {
                stale.add(new StaleProcess(pid, id.get(), r, argv, reason));
            }
        }
        return stale;
    }

    /**
     * Kills the stale processes of one machine (typically a QEMU that a jkraft process killed while
     * starting it left behind, still paused) and waits until none is left, so that a new start or a
     * removal of the machine does not share its runtime folder with them.
     *
     * @return the processes that were ended
     * @throws UserException when they do not end within {@code patience}
     */
    public List<StaleProcess> endStaleProcesses(String machineId, Duration patience) {
        long deadline = System.nanoTime() + patience.toNanos();
        List<StaleProcess> ended = new ArrayList<>();
        // Scanned again after each round: a VMM killed between the scan and its SIGKILL may have forked a child
        // that carries its argv (and so the marker) until it execs.
        for (List<StaleProcess> stale = staleOf(machineId); !stale.isEmpty(); stale = staleOf(machineId)) {
            if (!ended.isEmpty() && System.nanoTime() > deadline) {
                throw new UserException("machine " + machineId + " keeps starting processes after SIGKILL: "
                        + stale.stream().map(s -> String.valueOf(s.pid())).toList(), "look at them with `ps -ef`");
            }
            stale.forEach(s -> ProcessHandle.of(s.pid()).ifPresent(ProcessHandle::destroyForcibly));
            for (StaleProcess s : stale) {
                // Gone once its argv no longer carries the marker: a zombie's is empty, a reused pid's differs.
                while (marker.marks(processes.arguments(s.pid()), machineId)) {
                    if (System.nanoTime() > deadline) {
                        throw new UserException("process " + s.pid() + " of machine " + machineId
                                + " did not end after SIGKILL", "look at it with `ps -p " + s.pid() + " -o pid,stat,cmd`");
                    }
                    try {
                        Thread.sleep(10);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new UserException("interrupted while ending the old processes of machine " + machineId);
                    }
                }
            }
            ended.addAll(stale);
        }
        return ended;
    }

    private List<StaleProcess> staleOf(String machineId) {
        return staleProcesses().stream().filter(s -> s.machineId().equals(machineId)).toList();
    }

    private String staleReason(long pid, MachineRecord r, String id) {
        if (r == null) {
            return StartIntent.inProgress(store.runtimeRoot().resolve(id)) ? null : "no machine has this id any more";
        }
        // The recorded VMM, a process below it, or the wrapper above it that waits for it and records its exit.
        if (r.status().claimsProcess() && r.pid() != null
                && (processes.descendsFrom(pid, r.pid()) || processes.descendsFrom(r.pid(), pid)
                        || belowWaiter(pid, r))) {
            return null;
        }
        if (r.owner() != null && r.owner().isAlive()) {
            return null;
        }
        return r.status().claimsProcess()
                ? "machine " + r.name() + " is " + r.status().word() + " with another VMM (pid " + r.pid() + ")"
                : "machine " + r.name() + " is " + r.status().word();
    }

    /**
     * Whether {@code pid} runs below the marked process that waits for the machine's VMM: a helper the waiter
     * started beside the VMM (a port forwarder), which lives and ends with it.
     */
    private boolean belowWaiter(long pid, MachineRecord r) {
        Optional<Long> waiter = ProcessHandle.of(r.pid()).flatMap(ProcessHandle::parent).map(ProcessHandle::pid);
        return waiter.isPresent() && marker.marks(processes.arguments(waiter.get()), r.id())
                && processes.descendsFrom(pid, waiter.get());
    }

    /**
     * Removes runtime folders that belong to no record, no live process and no start in progress, and
     * returns them. Only an interrupted start racing a remove can leave one: folders are made after their
     * record (or under a {@link StartIntent}) and removed before it.
     */
    public List<Path> removeOrphanFolders() {
        Path root = store.runtimeRoot();
        List<Path> folders;
        // Folders first, records second: a machine created in between has its record committed before
        // its folder exists, so no folder listed here can lack a record that is about to appear.
        try (Stream<Path> entries = Files.list(root)) {
            folders = entries.filter(p -> UUID.matcher(p.getFileName().toString()).matches()).toList();
        } catch (IOException e) {
            // no runtime folder yet, or none we may read: nothing we could remove either
            return List.of();
        }
        Set<String> known = new HashSet<>();
        store.list().forEach(r -> known.add(r.id()));
        folders.stream().filter(StartIntent::inProgress).forEach(f -> known.add(f.getFileName().toString()));
        staleProcesses().forEach(p -> known.add(p.machineId()));
        List<Path> removed = new ArrayList<>();
        for (Path folder : folders) {
            if (!known.contains(folder.getFileName().toString())) {
                MachineStore.deleteTree(folder);
                removed.add(folder);
            }
        }
        return removed;
    }
}
