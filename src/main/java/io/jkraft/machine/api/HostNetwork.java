package io.jkraft.machine.api;

import io.jkraft.common.UserException;
import java.util.List;
import java.util.Set;

/**
 * The host's side of a machine's NICs on jkraft networks: the tap devices on their bridges. The machine
 * service makes them before the VMM starts and removes them when the machine ends or is removed; the taps of
 * one machine store are recognisable, so that those of machines that ended unseen (a VMM or jkraft killed) are
 * swept at reconciliation.
 */
public interface HostNetwork {
    /** Refuses, before anything is recorded, interfaces this process could not attach (no privilege). */
    void check(List<NetworkInterface> nics);

    /** Creates (or re-creates) the taps of resolved interfaces, each on its bridge and up. */
    void attach(String machineId, List<NetworkInterface> nics);

    /** Removes these taps; a missing one is no error. */
    void detach(List<NetworkInterface> nics);

    /** Removes the taps of this store whose machine is not among {@code keepMachineIds}; returns their names. */
    List<String> sweep(Set<String> keepMachineIds);

    /** No networking: a spec with network interfaces is refused. */
    HostNetwork NONE = new HostNetwork() {
        @Override
        public void check(List<NetworkInterface> nics) {
            if (!nics.isEmpty()) {
                throw new UserException("this jkraft was set up without networks", null);
            }
        }

        @Override
        public void attach(String machineId, List<NetworkInterface> nics) {
            check(nics);
        }

        @Override
        public void detach(List<NetworkInterface> nics) {}

        @Override
        public List<String> sweep(Set<String> keepMachineIds) {
            return List.of();
        }
    };
}
