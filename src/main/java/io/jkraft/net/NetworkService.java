package io.jkraft.net;

import io.jkraft.common.Digest;
import io.jkraft.common.Ipv4Cidr;
import io.jkraft.common.UserException;
import io.jkraft.machine.api.RunFlags;
import io.jkraft.machine.store.NetworkRecord;
import io.jkraft.machine.store.NetworkStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * kraft's {@code net} commands: networks as a Linux bridge with an IPv4 range, recorded in the machine store.
 * The bridge is named as the network (as kraft names it) and gets the range's address given, or its first host
 * address, which guests use as their gateway. A network is recorded before its bridge is made and removed after
 * its bridge is gone ({@link NetworkStore}).
 */
public final class NetworkService {
    private final NetworkStore store;
    private final HostLinks links;

    public NetworkService(NetworkStore store, HostLinks links) {
        this.store = store;
        this.links = links;
    }

    /** A network and the state of its bridge on this host. */
    public record Network(NetworkRecord record, State state) {}

    /** The bridge's state: up, down, or missing (the host restarted, or someone removed it). */
    public enum State {
        UP, DOWN, MISSING;

        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Names a machine store in its taps' aliases: the start of the SHA-256 of its runtime folder. */
    public static String storeTag(Path runtimeRoot) {
        String hex = Digest.of(runtimeRoot.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8)).hex();
        return hex.substring(0, 16);
    }

    /**
     * Creates a network.
     *
     * @param range the bridge's address and prefix ({@code --network}, kraft's form); a range's own network
     *              address means its first host; null: a free /24 ({@link FreeRange})
     */
    public Network create(String name, String range) {
        if (!RunFlags.NETWORK_NAME.matcher(name).matches()) {
            throw new UserException("'" + name + "' is not a valid network name",
                    "use up to 15 letters, digits, '_', '.' or '-', starting with a letter or digit (it names the bridge)");
        }
        NetworkPrivilege.require("creating a network");
        if (store.find(name).isPresent()) {
            throw new UserException("a network named " + name + " already exists", "`jkraft net ls` lists them");
        }
        List<HostLinks.Link> existing = links.links();
        if (existing.stream().anyMatch(l -> l.name().equals(name))) {
            throw new UserException("this host already has a device named " + name,
                    "choose another network name (it names the bridge)");
        }
        Ipv4Cidr gateway = range == null ? free() : given(range);
        NetworkRecord record = store.create(name, name, gateway);
        try {
            links.addBridge(name, gateway);
        } catch (RuntimeException e) {
            try {
                links.delete(name);
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            store.delete(name);
            throw e;
        }
        return new Network(record, State.UP);
    }

    private Ipv4Cidr free() {
        List<Ipv4Cidr> taken = new ArrayList<>(links.usedRanges());
        store.list().forEach(n -> taken.add(n.gateway()));
        return FreeRange.choose(taken).orElseThrow(() -> new UserException(
                "no free /24 is left in 172.30.0.0/15 or 10.200.0.0/13", "give a range with --network, e.g. 10.99.0.1/24"));
    }

    private static Ipv4Cidr given(String range) {
        Ipv4Cidr cidr = Ipv4Cidr.parse(range, -1, "--network " + range);
        if (cidr.prefix() < 8 || cidr.prefix() > 30) {
            throw new UserException("--network " + range + ": the prefix must be between /8 and /30",
                    "e.g. --network 172.30.5.1/24");
        }
        if (cidr.address() == cidr.network()) {
            return cidr.withAddress(cidr.firstHost());
        }
        if (cidr.address() == cidr.broadcast()) {
            throw new UserException("--network " + range + ": that is the range's broadcast address",
                    "give the bridge's address, e.g. " + Ipv4Cidr.dotted(cidr.firstHost()) + "/" + cidr.prefix());
        }
        return cidr;
    }

    /** Every network with its bridge's state. */
    public List<Network> list() {
        List<HostLinks.Link> existing = links.links();
        return store.list().stream().map(n -> new Network(n, state(n, existing))).toList();
    }

    public Network inspect(String name) {
        NetworkRecord n = store.get(name);
        return new Network(n, state(n, links.links()));
    }

    /** Removes a network that no machine is on: its bridge, then its record. */
    public void remove(String name) {
        NetworkRecord n = store.get(name);
        store.checkUnused(name);
        NetworkPrivilege.require("removing a network");
        links.delete(n.bridge());
        store.delete(name);
    }

    /** Brings the bridge up, making it again (with its address) when it is missing. */
    public Network up(String name) {
        NetworkRecord n = store.get(name);
        NetworkPrivilege.require("bringing a network up");
        if (state(n, links.links()) == State.MISSING) {
            links.addBridge(n.bridge(), n.gateway());
        } else {
            links.setUp(n.bridge(), true);
        }
        return new Network(n, State.UP);
    }

    /** Brings the bridge down: machines on it stay, but reach nothing until it is up again. */
    public Network down(String name) {
        NetworkRecord n = store.get(name);
        NetworkPrivilege.require("bringing a network down");
        if (state(n, links.links()) == State.MISSING) {
            return new Network(n, State.MISSING);
        }
        links.setUp(n.bridge(), false);
        return new Network(n, State.DOWN);
    }

    private static State state(NetworkRecord n, List<HostLinks.Link> existing) {
        Optional<HostLinks.Link> bridge = existing.stream().filter(l -> l.name().equals(n.bridge())).findFirst();
        return bridge.map(l -> l.up() ? State.UP : State.DOWN).orElse(State.MISSING);
    }
}
