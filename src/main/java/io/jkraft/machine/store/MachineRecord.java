package io.jkraft.machine.store;

import io.jkraft.machine.api.MachineSpec;
import java.nio.file.Path;
import java.time.Instant;

/**
 * One machine as the store knows it. A snapshot: it does not change when the store does.
 *
 * @param id         a random UUID, lower case; the runtime folder and the VMM marker are named by it
 * @param name       the unique name (always equal to {@code spec.name()})
 * @param spec       what the machine boots
 * @param status     what the store last recorded; {@link Reconciler} corrects it when a VMM vanished
 * @param pid        the VMM's process id while running or paused, else null
 * @param exitCode   the VMM's exit code once exited, else null
 * @param error      why the machine is errored, else null
 * @param createdAt  when the record was made
 * @param startedAt  when the VMM last started, or null
 * @param finishedAt when the VMM last ended, or null
 * @param stateDir   the machine's runtime folder, {@code <state>/runtime/<id>}; also its process marker
 * @param owner      the jkraft process creating, starting, removing or attached to the machine, or null
 */
public record MachineRecord(
        String id,
        String name,
        MachineSpec spec,
        MachineStatus status,
        Long pid,
        Integer exitCode,
        String error,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt,
        Path stateDir,
        ProcessIdentity owner) {

    /** The file the VMM's waiter writes the exit code to (see {@link VmmMarker} for the whole convention). */
    public Path exitCodeFile() {
        return stateDir.resolve(VmmMarker.EXIT_CODE_FILE);
    }
}
