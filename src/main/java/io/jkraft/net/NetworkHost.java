package io.jkraft.net;

import io.jkraft.machine.api.HostNetwork;
import io.jkraft.machine.api.NetworkInterface;
import io.jkraft.common.UserException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The taps of machines on networks ({@link HostNetwork}) through {@link HostLinks}. Each tap's alias is
 * {@code jkraft:STORE:MACHINE-ID}, STORE naming the machine store, so that a sweep removes only its own store's
 * taps, never those of another user's or test's store on the same host.
 */
public final class NetworkHost implements HostNetwork {
    private final HostLinks links;
    private final String aliasPrefix;

    /** @param storeTag names the machine store ({@link NetworkService#storeTag}) */
    public NetworkHost(HostLinks links, String storeTag) {
        this.links = links;
        this.aliasPrefix = "jkraft:" + storeTag + ":";
    }

    @Override
    public void check(List<NetworkInterface> nics) {
        if (!nics.isEmpty()) {
            NetworkPrivilege.require("attaching a machine to a network (--network)");
        }
    }

    @Override
    public void attach(String machineId, List<NetworkInterface> nics) {
        if (nics.isEmpty()) {
            return;
        }
        NetworkPrivilege.require("attaching a machine to a network (--network)");
        List<HostLinks.Link> existing = links.links();
        for (NetworkInterface nic : nics) {
            if (existing.stream().noneMatch(l -> l.name().equals(nic.bridge()))) {
                throw new UserException("network " + nic.network() + "'s bridge " + nic.bridge() + " is missing on this host",
                        "make it again with `jkraft net up " + nic.network() + "`");
            }
            // A tap left by an earlier start of this machine is made again, on the bridge as it is now.
            links.delete(nic.tap());
            links.addTap(nic.tap(), nic.bridge(), aliasPrefix + machineId);
        }
    }

    @Override
    public void detach(List<NetworkInterface> nics) {
        if (nics.isEmpty()) {
            return;
        }
        List<HostLinks.Link> existing = links.links();
        for (NetworkInterface nic : nics) {
            if (existing.stream().anyMatch(l -> l.name().equals(nic.tap()))) {
                links.delete(nic.tap());
            }
        }
    }

    @Override
    public List<String> sweep(Set<String> keepMachineIds) {
        List<String> removed = new ArrayList<>();
        try {
            for (HostLinks.Link l : links.links()) {
                if (l.alias() != null && l.alias().startsWith(aliasPrefix)
                        && !keepMachineIds.contains(l.alias().substring(aliasPrefix.length()))) {
                    links.delete(l.name());
                    removed.add(l.name());
                }
            }
        } catch (UserException e) {
            // Without the privilege (a ps by a user who may not change devices) the taps stay for the next sweep.
        }
        return removed;
    }
}
