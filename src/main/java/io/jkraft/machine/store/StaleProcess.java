package io.jkraft.machine.store;

import java.util.List;

/**
 * A VMM process of this store that no record accounts for: its record is gone, or says the machine is
 * not running, or names another pid. {@code rm --all} may kill it; {@code ps} reports it.
 *
 * @param pid       the process
 * @param machineId the machine its marker names
 * @param record    that machine's record, or null when there is none
 * @param arguments its argv
 * @param reason    why it counts as stale, for people
 */
public record StaleProcess(long pid, String machineId, MachineRecord record, List<String> arguments, String reason) {
    public StaleProcess {
        arguments = List.copyOf(arguments);
    }
}
