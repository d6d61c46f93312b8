package io.jkraft.machine.store;

import io.jkraft.common.Ipv4Cidr;
import io.jkraft.common.UserException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The networks of the machine store (its {@code networks} and {@code leases} tables). A network is recorded
 * before its bridge is made and removed after its bridge is gone, so a record may lack a bridge (an interrupted
 * {@code net create} or {@code net rm}: repeating the command settles it), never the other way round.
 */
public final class NetworkStore {
    private final StoreDatabase db;

    NetworkStore(StoreDatabase db) {
        this.db = db;
    }

    /**
     * Records a network.
     *
     * @param gateway the bridge's address and the range's prefix
     * @throws UserException when the name or bridge is taken, or the range overlaps another network's
     */
    public NetworkRecord create(String name, String bridge, Ipv4Cidr gateway) {
        return db.write(c -> {
            for (NetworkRecord other : all(c)) {
                if (other.name().equals(name)) {
                    throw new UserException("a network named " + name + " already exists (" + other.gateway().range() + ")",
                            "choose another name, or remove it with `jkraft net rm " + name + "`");
                }
                if (other.bridge().equals(bridge)) {
                    throw new UserException("network " + other.name() + " already uses the bridge " + bridge, null);
                }
                if (other.gateway().overlaps(gateway)) {
                    throw new UserException("the range " + gateway.range() + " overlaps network " + other.name() + "'s "
                            + other.gateway().range(), "give another range with --network, or leave it out to get a free one");
                }
            }
            try (PreparedStatement q = c.prepareStatement(
                    "INSERT INTO networks (name, bridge, address, prefix, created_at) VALUES (?, ?, ?, ?, ?)")) {
                q.setString(1, name);
                q.setString(2, bridge);
                q.setLong(3, Integer.toUnsignedLong(gateway.address()));
                q.setInt(4, gateway.prefix());
                q.setLong(5, Instant.now().toEpochMilli());
                q.executeUpdate();
            }
            return one(c, name).orElseThrow();
        });
    }

    /** Every network, by name. */
    public List<NetworkRecord> list() {
        return db.read(NetworkStore::all);
    }

    public Optional<NetworkRecord> find(String name) {
        return db.read(c -> one(c, name));
    }

    /** Like {@link #find}, but a missing network is the user's error. */
    public NetworkRecord get(String name) {
        return find(name).orElseThrow(() -> new UserException("no network is named '" + name + "'",
                "`jkraft net ls` lists them"));
    }

    /**
     * Removes a network's record; refused while a machine holds an address in it. A missing one is no error,
     * so that an interrupted {@code net rm} can be repeated.
     */
    public void delete(String name) {
        db.write(c -> {
            Optional<NetworkRecord> found = one(c, name);
            if (found.isEmpty()) {
                return null;
            }
            checkUnused(c, name);
            try (PreparedStatement q = c.prepareStatement("DELETE FROM networks WHERE name = ?")) {
                q.setString(1, name);
                q.executeUpdate();
            }
            return null;
        });
    }

    /**
     * Refuses a network that machines are on, naming them: stopped ones too, which hold no address but would
     * lease one again when started (Docker lets such a network go and then fails the start).
     */
    public void checkUnused(String name) {
        db.read(c -> {
            checkUnused(c, name);
            return null;
        });
    }

    private static void checkUnused(Connection c, String network) throws SQLException {
        List<String> users = new ArrayList<>();
        SpecCodec codec = new SpecCodec();
        try (PreparedStatement q = c.prepareStatement("SELECT id, name, spec FROM machines ORDER BY created_at, rowid");
                ResultSet r = q.executeQuery()) {
            while (r.next()) {
                if (codec.read(r.getString(1), r.getString(3)).networks().stream()
                        .anyMatch(n -> n.network().equals(network))) {
                    users.add(r.getString(2));
                }
            }
        }
        if (!users.isEmpty()) {
            throw new UserException("network " + network + " is used by machine(s) " + String.join(", ", users),
                    "remove them first (`jkraft rm -f NAME`)");
        }
    }

    static Optional<NetworkRecord> one(Connection c, String name) throws SQLException {
        return select(c, "WHERE name = ?", name).stream().findFirst();
    }

    private static List<NetworkRecord> all(Connection c) throws SQLException {
        return select(c, "");
    }

    private static List<NetworkRecord> select(Connection c, String where, Object... values) throws SQLException {
        List<NetworkRecord> out = new ArrayList<>();
        try (PreparedStatement q = c.prepareStatement(
                "SELECT name, bridge, address, prefix, created_at FROM networks " + where + " ORDER BY name")) {
            for (int i = 0; i < values.length; i++) {
                q.setObject(i + 1, values[i]);
            }
            try (ResultSet r = q.executeQuery()) {
                while (r.next()) {
                    int prefix = r.getInt(4);
                    String name = r.getString(1);
                    out.add(new NetworkRecord(name, r.getString(2), new Ipv4Cidr((int) r.getLong(3), prefix),
                            Instant.ofEpochMilli(r.getLong(5)), List.of()));
                }
            }
        }
        List<NetworkRecord> withLeases = new ArrayList<>();
        for (NetworkRecord n : out) {
            withLeases.add(new NetworkRecord(n.name(), n.bridge(), n.gateway(), n.createdAt(),
                    NetworkLeases.of(c, n.name(), n.gateway().prefix())));
        }
        return withLeases;
    }
}
