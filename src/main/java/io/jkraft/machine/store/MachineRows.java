package io.jkraft.machine.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The {@code machines} table's rows as records, and the statements {@link MachineStore} runs on it. */
final class MachineRows {
    private static final String COLUMNS = "id, name, spec, status, pid, exit_code, error, created_at, started_at, "
            + "finished_at, state_dir, owner_pid, owner_started";

    private final SpecCodec codec;

    MachineRows(SpecCodec codec) {
        this.codec = codec;
    }

    Optional<MachineRecord> one(Connection c, String where, Object... values) throws SQLException {
        return all(c, where, values).stream().findFirst();
    }

    List<MachineRecord> all(Connection c, String where, Object... values) throws SQLException {
        String sql = "SELECT " + COLUMNS + " FROM machines WHERE " + where + " ORDER BY created_at, rowid";
        try (PreparedStatement q = prepare(c, sql, values); ResultSet r = q.executeQuery()) {
            List<MachineRecord> out = new ArrayList<>();
            while (r.next()) {
                out.add(row(r));
            }
            return out;
        }
    }

    static int update(Connection c, String sql, Object... values) throws SQLException {
        try (PreparedStatement q = prepare(c, sql, values)) {
            return q.executeUpdate();
        }
    }

    private static PreparedStatement prepare(Connection c, String sql, Object... values) throws SQLException {
        PreparedStatement q = c.prepareStatement(sql);
        for (int i = 0; i < values.length; i++) {
            q.setObject(i + 1, values[i]);
        }
        return q;
    }

    private MachineRecord row(ResultSet r) throws SQLException {
        String id = r.getString("id");
        Long ownerPid = nullableLong(r, "owner_pid");
        Long ownerStarted = nullableLong(r, "owner_started");
        Long exit = nullableLong(r, "exit_code");
        return new MachineRecord(id, r.getString("name"), codec.read(id, r.getString("spec")),
                MachineStatus.ofWord(r.getString("status")), nullableLong(r, "pid"),
                exit == null ? null : exit.intValue(), r.getString("error"), instant(r, "created_at"),
                instant(r, "started_at"), instant(r, "finished_at"), Path.of(r.getString("state_dir")),
                ownerPid == null ? null : new ProcessIdentity(ownerPid, ownerStarted == null ? 0 : ownerStarted));
    }

    private static Long nullableLong(ResultSet r, String column) throws SQLException {
        long v = r.getLong(column);
        return r.wasNull() ? null : v;
    }

    private static Instant instant(ResultSet r, String column) throws SQLException {
        Long millis = nullableLong(r, column);
        return millis == null ? null : Instant.ofEpochMilli(millis);
    }

    static boolean nameTaken(Connection c, String name) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("SELECT 1 FROM machines WHERE name = ?")) {
            q.setString(1, name);
            try (ResultSet r = q.executeQuery()) {
                return r.next();
            }
        }
    }
}
