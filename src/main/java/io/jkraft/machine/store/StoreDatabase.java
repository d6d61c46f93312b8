package io.jkraft.machine.store;

import io.jkraft.common.UserException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * The SQLite file behind the store, and the only place that opens connections to it.
 *
 * <p>Several jkraft processes use the file at once: the journal is a write-ahead log, so readers never
 * wait for writers; every write is one short {@code BEGIN IMMEDIATE} transaction, which takes the write
 * lock up front (a deferred transaction that reads and then writes can fail with SQLITE_BUSY without
 * ever waiting); and a busy timeout makes a writer wait for another instead of failing. A process killed
 * in the middle of a transaction leaves nothing: SQLite rolls the half-written log back on the next open.
 */
final class StoreDatabase {
    /** Far longer than any of our transactions, short enough that a wedged lock is reported. */
    private static final int BUSY_TIMEOUT_MILLIS = 30_000;
    /**
     * The schema's steps: step n (1-based) brings a file of version n-1 to version n, one statement per entry so
     * that a failure points at its statement. A file is brought up to date by the steps after its version, in
     * one transaction; a step is never changed once released, only followed by another.
     */
    private static final List<List<String>> STEPS = List.of(List.of("""
            CREATE TABLE machines (
              id            TEXT PRIMARY KEY,
              name          TEXT NOT NULL UNIQUE,
              spec          TEXT NOT NULL,
              status        TEXT NOT NULL
                            CHECK (status IN ('created', 'running', 'paused', 'exited', 'errored')),
              pid           INTEGER,
              exit_code     INTEGER,
              error         TEXT,
              created_at    INTEGER NOT NULL,
              started_at    INTEGER,
              finished_at   INTEGER,
              state_dir     TEXT NOT NULL,
              owner_pid     INTEGER,
              owner_started INTEGER
            ) STRICT""", """
            CREATE TABLE ports (
              machine_id TEXT NOT NULL REFERENCES machines (id) ON DELETE CASCADE,
              host_ip    TEXT NOT NULL,
              host_port  INTEGER NOT NULL CHECK (host_port BETWEEN 1 AND 65535),
              protocol   TEXT NOT NULL CHECK (protocol IN ('tcp', 'udp')),
              guest_port INTEGER NOT NULL CHECK (guest_port BETWEEN 1 AND 65535),
              UNIQUE (host_ip, host_port, protocol)
            ) STRICT""",
            "CREATE INDEX ports_by_machine ON ports (machine_id)",
            // UNIQUE cannot say that a wildcard address takes the port on every address; the store checks
            // first (to name the holder), and this keeps the file honest whoever writes to it.
            """
            CREATE TRIGGER ports_wildcard BEFORE INSERT ON ports
            WHEN EXISTS (SELECT 1 FROM ports
                         WHERE host_port = NEW.host_port AND protocol = NEW.protocol
                           AND (host_ip IN ('0.0.0.0', '::') OR NEW.host_ip IN ('0.0.0.0', '::')))
            BEGIN
              SELECT RAISE(ABORT, 'a wildcard address claims this port');
            END"""), List.of(
            // 2: networks (a bridge and its IPv4 range; address is the bridge's own, the guests' gateway) and
            // the addresses leased in them, one machine each, held as long as the machine's record.
            """
            CREATE TABLE networks (
              name       TEXT PRIMARY KEY,
              bridge     TEXT NOT NULL UNIQUE,
              address    INTEGER NOT NULL,
              prefix     INTEGER NOT NULL CHECK (prefix BETWEEN 8 AND 30),
              created_at INTEGER NOT NULL
            ) STRICT""", """
            CREATE TABLE leases (
              network    TEXT NOT NULL REFERENCES networks (name),
              address    INTEGER NOT NULL,
              machine_id TEXT NOT NULL REFERENCES machines (id) ON DELETE CASCADE,
              PRIMARY KEY (network, address)
            ) STRICT""",
            "CREATE INDEX leases_by_machine ON leases (machine_id)"));
    private static final int SCHEMA_VERSION = STEPS.size();

    /** Work done with one connection; may throw SQLException. */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private final Path file;
    private final SQLiteConfig config;
    private Connection connection;

    private StoreDatabase(Path file) {
        this.file = file;
        this.config = new SQLiteConfig();
        config.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
        config.enforceForeignKeys(true);
        // With a write-ahead log NORMAL loses no committed transaction when a process dies, only
        // (possibly) the last ones on power loss, and it saves an fsync per commit.
        config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
    }

    /** Opens the file, creating it and its schema if needed. */
    static StoreDatabase open(Path file) {
        if (file.toString().contains("?")) {
            throw new UserException("the machine store path " + file + " contains '?', which SQLite cannot open",
                    "set XDG_STATE_HOME to a folder without '?'");
        }
        StoreDatabase db = new StoreDatabase(file);
        db.initialize();
        return db;
    }

    Path file() {
        return file;
    }

    /** Runs reads in autocommit mode: each statement sees a consistent snapshot. */
    synchronized <T> T read(Work<T> work) {
        try {
            return work.run(connection());
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    /** Runs work in one write transaction, committed when work returns and rolled back when it throws. */
    synchronized <T> T write(Work<T> work) {
        Connection c;
        try {
            c = connection();
        } catch (SQLException e) {
            throw failure(e);
        }
        try (Statement s = c.createStatement()) {
            // Explicit statements rather than setAutoCommit(false): the driver would begin the next
            // transaction right after COMMIT and hold the write lock until the connection closes.
            s.execute("BEGIN IMMEDIATE");
            try {
                T result = work.run(c);
                s.execute("COMMIT");
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    s.execute("ROLLBACK");
                } catch (SQLException rollbackFailure) {
                    e.addSuppressed(rollbackFailure);
                }
                throw e;
            }
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    /**
     * This process's one connection, opened on first use and kept: opening one (the file, then the
     * pragmas of {@link SQLiteConfig}) cost each of run's transactions several milliseconds. In autocommit
     * mode between transactions it holds no lock, so other processes are not kept waiting by it.
     */
    private Connection connection() throws SQLException {
        if (connection == null || connection.isClosed()) {
            connection = connect();
        }
        return connection;
    }

    private Connection connect() throws SQLException {
        return config.createConnection("jdbc:sqlite:" + file);
    }

    private void initialize() {
        try (Statement s = connection().createStatement()) {
            enableWal(s);
            try (ResultSet r = s.executeQuery("PRAGMA user_version")) {
                if (r.getInt(1) == SCHEMA_VERSION) {
                    // The usual case, settled without taking the write lock.
                    return;
                }
            }
        } catch (SQLException e) {
            throw failure(e);
        }
        write(c -> {
            try (Statement s = c.createStatement()) {
                int version;
                try (ResultSet r = s.executeQuery("PRAGMA user_version")) {
                    version = r.getInt(1);
                }
                if (version > SCHEMA_VERSION) {
                    throw new UserException("the machine store " + file + " was written by a newer jkraft "
                            + "(schema " + version + ", this one knows " + SCHEMA_VERSION + ")",
                            "use the newer jkraft, or set XDG_STATE_HOME to another folder");
                }
                if (version < SCHEMA_VERSION) {
                    for (List<String> step : STEPS.subList(version, SCHEMA_VERSION)) {
                        for (String statement : step) {
                            s.executeUpdate(statement);
                        }
                    }
                    s.executeUpdate("PRAGMA user_version = " + SCHEMA_VERSION);
                }
            }
            return null;
        });
    }

    /**
     * Switches a new file to write-ahead logging (a lasting property of the file). The switch needs the
     * file to itself and does not always wait for the busy timeout, so a new store opened by several
     * processes at once retries it.
     */
    private void enableWal(Statement s) throws SQLException {
        long deadline = System.nanoTime() + BUSY_TIMEOUT_MILLIS * 1_000_000L;
        while (true) {
            try (ResultSet r = s.executeQuery("PRAGMA journal_mode = WAL")) {
                if (r.next() && "wal".equalsIgnoreCase(r.getString(1))) {
                    return;
                }
            } catch (SQLiteException e) {
                if (!isBusy(e)) {
                    throw e;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new SQLiteException("cannot switch to write-ahead logging", SQLiteErrorCode.SQLITE_BUSY);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLiteException("interrupted", SQLiteErrorCode.SQLITE_INTERRUPT);
            }
        }
    }

    /** SQLITE_BUSY or SQLITE_LOCKED, including their extended codes (the low byte is the primary code). */
    static boolean isBusy(SQLException e) {
        int primary = e.getErrorCode() & 0xff;
        return primary == SQLiteErrorCode.SQLITE_BUSY.code || primary == SQLiteErrorCode.SQLITE_LOCKED.code;
    }

    private UserException failure(SQLException e) {
        if (isBusy(e)) {
            return new UserException("the machine store " + file + " stayed locked by another jkraft process "
                    + "for " + BUSY_TIMEOUT_MILLIS / 1000 + " s", "try again; if it persists, look for a hung jkraft", e);
        }
        return new UserException("cannot use the machine store " + file + ": " + e.getMessage(),
                "check that the folder is writable and the disk is not full", e);
    }
}
