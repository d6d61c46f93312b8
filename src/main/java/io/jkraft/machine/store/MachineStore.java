package io.jkraft.machine.store;

import static io.jkraft.machine.store.MachineRows.update;

import io.jkraft.common.FileTrees;
import io.jkraft.common.GdbEndpoint;
import io.jkraft.common.UserException;
import io.jkraft.machine.api.MachineSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.random.RandomGenerator;
import java.util.regex.Pattern;

/**
 * The machines of one user: an SQLite file, {@code <state>/machines.db}, shared by every jkraft process
 * of that user, plus one runtime folder per machine under {@code <state>/runtime/<id>}.
 *
 * <p>The order of steps, chosen so that a process killed at any point (kill -9) leaves nothing that a
 * later command cannot see and clean up:
 * <ol>
 *   <li>{@link #create}: one transaction inserts the record ({@code created}, owned by this process) and
 *       claims its ports. No folder yet, so a crash leaves nothing on disk.</li>
 *   <li>{@link #prepareStart}: takes ownership, records the machine {@code created} again and leases its
 *       addresses, then creates the runtime folder and clears an old exit code. The folder exists before any VMM does, and before the record can say {@code running}.</li>
 *   <li>The caller spawns the VMM with the {@link VmmMarker} in its argv, then {@link #markRunning}.
 *       Killed in between: the record stays {@code created} with a dead owner, which {@link Reconciler}
 *       turns into {@code errored}, and it reports the VMM as stale.</li>
 *   <li>An attached owner records the end with {@link #markExited}; a detached one {@link #release}s the
 *       machine and leaves the exit code file to the VMM's wrapper, which the reconciler reads. Every record of
 *       an end (exited, errored) frees the machine's addresses in its transaction.</li>
 *   <li>{@link #delete}: takes ownership (which keeps {@code start} away), removes the folder, and only
 *       then deletes the record and frees its ports. Killed in between: a record without a folder, which
 *       the next {@code rm} removes; never a folder without a record (and {@link Reconciler} sweeps any),
 *       except a run's start in progress, whose folder holds a {@link StartIntent}.</li>
 * </ol>
 *
 * <p>Each method is one short transaction; between calls the store's connection holds no lock, so instances
 * are cheap and safe to use from several threads.
 */
public final class MachineStore {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");
    private static final Pattern ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private final Path runtimeRoot;
    private final StoreDatabase db;
    private final SpecCodec codec = new SpecCodec();
    private final MachineRows rows = new MachineRows(codec);
    private final NameGenerator names;
    private final ProcessIdentity self;

    private final RandomGenerator random;

    private MachineStore(Path stateDir, StoreDatabase db, RandomGenerator random) {
        this.runtimeRoot = runtimeRoot(stateDir);
        this.db = db;
        this.names = new NameGenerator(random);
        this.random = random;
        this.self = ProcessIdentity.current();
    }

    /** Opens (creating if needed) the store in {@code stateDir}, e.g. {@code $XDG_STATE_HOME/jkraft}. */
    public static MachineStore open(Path stateDir) {
        Path dir = stateDir.toAbsolutePath().normalize();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UserException("cannot create the state folder " + dir + ": " + e.getMessage(),
                    "check its permissions, or set XDG_STATE_HOME to a writable folder", e);
        }
        SqliteNativeLibrary.useCopyIn(dir.resolve("native"));
        return new MachineStore(dir, StoreDatabase.open(dir.resolve("machines.db")),
                processRandom());
    }

    /** The folder holding every machine's runtime folder. */
    public Path runtimeRoot() {
        return runtimeRoot;
    }

    /** The networks kept in this store, and their leases. */
    public NetworkStore networks() {
        return new NetworkStore(db);
    }

    /** Recognises this store's VMM processes. */
    public VmmMarker marker() {
        return new VmmMarker(runtimeRoot);
    }

    /**
     * Records a new machine, claims its ports and leases the addresses of its network interfaces (the recorded
     * spec has them resolved: address, bridge, tap and MAC). A spec without a name gets a generated one.
     *
     * @throws UserException when the name is taken or invalid, or another machine holds a port
     */
    public MachineRecord create(MachineSpec spec) {
        return create(spec, newId());
    }

    /**
     * Records a new machine under an id chosen beforehand: a run that starts its VMM while the machine is
     * being recorded names the runtime folder first (see {@link StartIntent}).
     */
    public MachineRecord create(MachineSpec spec, String id) {
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("not a machine id: " + id);
        }
        String requested = spec.name() == null || spec.name().isBlank() ? null : spec.name().strip();
        if (requested != null && !NAME.matcher(requested).matches()) {
            throw new UserException("'" + requested + "' is not a valid machine name",
                    "use up to 63 letters, digits, '_', '.' or '-', starting with a letter or digit");
        }
        List<PortClaims.Claim> claims = PortClaims.of(requested == null ? "(unnamed)" : requested, spec.ports());
        long now = Instant.now().toEpochMilli();
        return db.write(c -> {
            String name = requested;
            if (name == null) {
                name = names.next(n -> MachineRows.nameTaken(c, n));
            } else if (MachineRows.nameTaken(c, name)) {
                MachineRecord other = rows.one(c, "name = ?", name).orElseThrow();
                throw new UserException("a machine named " + name + " already exists (" + other.status().word()
                        + ", id " + other.id().substring(0, 12) + ")",
                        "choose another name, or remove it with `jkraft rm " + name + "`");
            }
            PortClaims.checkFree(c, name, claims);
            MachineSpec recorded = spec.withName(name);
            String sql = "INSERT INTO machines (id, name, spec, status, created_at, state_dir, owner_pid, "
                    + "owner_started) VALUES (?, ?, ?, 'created', ?, ?, ?, ?)";
            try (PreparedStatement q = c.prepareStatement(sql)) {
                q.setString(1, id);
                q.setString(2, name);
                q.setString(3, codec.write(recorded));
                q.setLong(4, now);
                q.setString(5, runtimeRoot.resolve(id).toString());
                q.setLong(6, self.pid());
                q.setLong(7, self.startedMillis());
                q.executeUpdate();
            }
            PortClaims.insert(c, id, claims);
            if (!spec.networks().isEmpty()) {
                // After the machine's row, which the leases reference.
                update(c, "UPDATE machines SET spec = ? WHERE id = ?", codec.write(recorded.withNetworks(
                        NetworkLeases.lease(c, id, name, spec.networks()))), id);
            }
            return rows.one(c, "id = ?", id).orElseThrow();
        });
    }

    /**
     * A random (version 4) UUID from the store's generator rather than UUID.randomUUID: setting up the
     * SecureRandom behind that cost every `jkraft run` 15-35 ms, and an id needs to be unique, not secret
     * (the table's primary key refuses a repeat).
     */
    private String newId() {
        return newId(random);
    }

    /**
     * A generator seeded from this process (pid, clocks). Not RandomGenerator.getDefault(), whose factory
     * loads every generator, SecureRandom's too; and not ThreadLocalRandom, whose seed the JVM's AOT cache
     * can carry from the training run into every start, so that two runs drew the same machine id.
     */
    public static RandomGenerator processRandom() {
        long seed = ProcessHandle.current().pid() * 0x9e3779b97f4a7c15L ^ System.nanoTime() ^ (System.currentTimeMillis() << 20);
        return new SplittableRandom(seed);
    }

    /** A new machine id, for a run that names the runtime folder before the store is open. */
    public static String newId(RandomGenerator random) {
        long high = (random.nextLong() & ~0xf000L) | 0x4000L;
        long low = (random.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L;
        return new UUID(high, low).toString();
    }

    /** Where the runtime folders of the store in {@code stateDir} are, known before the store is opened. */
    public static Path runtimeRoot(Path stateDir) {
        return stateDir.toAbsolutePath().normalize().resolve("runtime");
    }

    /** The machine with this exact name or id, or else the only one whose id starts so. */
    public Optional<MachineRecord> find(String nameOrIdPrefix) {
        String key = nameOrIdPrefix.strip();
        if (key.isEmpty()) {
            return Optional.empty();
        }
        return db.read(c -> {
            Optional<MachineRecord> exact = rows.one(c, "name = ? OR id = ?", key, key.toLowerCase(Locale.ROOT));
            if (exact.isPresent()) {
                return exact;
            }
            String prefix = key.toLowerCase(Locale.ROOT);
            List<MachineRecord> matches = rows.all(c, "substr(id, 1, length(?1)) = ?1", prefix);
            if (matches.size() > 1) {
                throw new UserException("'" + key + "' is the start of several machine ids ("
                        + String.join(", ", matches.stream().map(MachineRecord::name).toList()) + ")",
                        "give more of the id, or the name");
            }
            return matches.stream().findFirst();
        });
    }

    /** Like {@link #find}, but a missing machine is the user's error. */
    public MachineRecord get(String nameOrIdPrefix) {
        return find(nameOrIdPrefix).orElseThrow(() -> new UserException(
                "no machine is named '" + nameOrIdPrefix + "' or has an id starting so", "`jkraft ps` lists them"));
    }

    /** Every machine, oldest first. */
    public List<MachineRecord> list() {
        return db.read(c -> rows.all(c, "1 = 1"));
    }

    /** A name no machine has right now (create may still lose it to a concurrent create; it then draws again). */
    public String generateName() {
        return db.read(c -> names.next(n -> MachineRows.nameTaken(c, n)));
    }

    /**
     * Takes ownership of a machine that is not running, records it as created (being started) and leases its
     * addresses again (the spec recorded with them, see {@link NetworkLeases#renew}), then creates its runtime
     * folder and removes the exit code of an earlier run. Call before spawning the VMM.
     */
    public MachineRecord prepareStart(String id) {
        MachineRecord r = claim(id, "start", (c, claimed) -> {
            // Being started: created again, which holds addresses (and which the reconciler calls errored
            // should this process die before the VMM runs).
            update(c, "UPDATE machines SET status = 'created', exit_code = NULL, error = NULL, finished_at = NULL "
                    + "WHERE id = ?", id);
            if (!claimed.spec().networks().isEmpty()) {
                update(c, "UPDATE machines SET spec = ? WHERE id = ?", codec.write(claimed.spec().withNetworks(
                        NetworkLeases.renew(c, id, claimed.name(), claimed.spec().networks()))), id);
            }
        });
        try {
            Files.createDirectories(r.stateDir());
            Files.deleteIfExists(r.exitCodeFile());
        } catch (IOException e) {
            markErrored(id, "cannot prepare its runtime folder: " + e.getMessage()); // which frees its addresses
            release(id);
            throw new UserException("cannot prepare the runtime folder " + r.stateDir() + ": " + e.getMessage(),
                    "check the permissions of " + runtimeRoot, e);
        }
        return r;
    }

    /** The VMM started with this pid. */
    public MachineRecord markRunning(String id, long pid) {
        return transition(id, "mark as running", EnumSet.of(MachineStatus.CREATED, MachineStatus.EXITED,
                MachineStatus.ERRORED), "status = 'running', pid = ?, started_at = ?, exit_code = NULL, "
                        + "error = NULL, finished_at = NULL", pid, Instant.now().toEpochMilli());
    }

    public MachineRecord markPaused(String id) {
        return transition(id, "pause", EnumSet.of(MachineStatus.RUNNING), "status = 'paused'");
    }

    public MachineRecord markResumed(String id) {
        return transition(id, "resume", EnumSet.of(MachineStatus.PAUSED), "status = 'running'");
    }

    /**
     * The VMM ended and its driver starts the machine again at once ({@link #prepareStart} next): back to
     * created, so that it keeps the addresses the new VMM's plan already carries.
     */
    public MachineRecord markRetrying(String id) {
        return transition(id, "start again", EnumSet.of(MachineStatus.RUNNING, MachineStatus.PAUSED),
                "status = 'created', pid = NULL");
    }

    /** The VMM ended with this code. Accepted in any state: whoever saw the VMM end knows best. */
    public MachineRecord markExited(String id, int exitCode) {
        return transition(id, "mark as exited", EnumSet.allOf(MachineStatus.class), "status = 'exited', pid = NULL, "
                + "exit_code = ?, error = NULL, finished_at = ?", exitCode, Instant.now().toEpochMilli());
    }

    /** The machine failed; a machine that already exited or errored keeps its first outcome. */
    public MachineRecord markErrored(String id, String reason) {
        return transition(id, "mark as errored", EnumSet.of(MachineStatus.CREATED, MachineStatus.RUNNING,
                MachineStatus.PAUSED), EnumSet.of(MachineStatus.EXITED, MachineStatus.ERRORED),
                "status = 'errored', pid = NULL, exit_code = NULL, error = ?, finished_at = ?", reason,
                Instant.now().toEpochMilli());
    }

    /** This process stops looking after the machine (a detached run, or a create without start). */
    public void release(String id) {
        db.write(c -> update(c, "UPDATE machines SET owner_pid = NULL, owner_started = NULL "
                + "WHERE id = ? AND owner_pid = ?", id, self.pid()));
    }

    /**
     * Removes a machine that is not running: its runtime folder first, then the record and its port
     * claims. Removing a machine that is already gone does nothing, so an interrupted {@code rm} can be
     * repeated.
     */
    public void delete(String id) {
        if (byId(id).isEmpty()) {
            return;
        }
        MachineRecord r = claim(id, "remove", (c, claimed) -> { });
        deleteTree(r.stateDir());
        db.write(c -> {
            update(c, "DELETE FROM ports WHERE machine_id = ?", id);
            NetworkLeases.release(c, id);
            return update(c, "DELETE FROM machines WHERE id = ? AND owner_pid = ?", id, self.pid());
        });
    }

    public Optional<MachineRecord> byId(String id) {
        return db.read(c -> rows.one(c, "id = ?", id));
    }

    /**
     * Settles a record the reconciler found out of date, unless it changed since {@code seen} was read
     * (then someone else settled it, or started it again, and this decision is stale).
     */
    Optional<MachineRecord> settle(MachineRecord seen, MachineStatus to, Integer exitCode, String error) {
        return db.write(c -> {
            int n = update(c, "UPDATE machines SET status = ?, pid = NULL, exit_code = ?, error = ?, finished_at = ? "
                    + "WHERE id = ? AND status = ? AND pid IS ? AND owner_pid IS ?", to.word(), exitCode, error,
                    Instant.now().toEpochMilli(), seen.id(), seen.status().word(), seen.pid(),
                    seen.owner() == null ? null : seen.owner().pid());
            return n == 0 ? Optional.<MachineRecord>empty() : Optional.of(ended(c, seen.id()));
        });
    }

    /** Records that the machine's QEMU now serves a gdbstub on {@code port} (opened through its monitor). */
    public MachineRecord recordGdb(String id, GdbEndpoint endpoint) {
        return db.write(c -> {
            MachineRecord r = rows.one(c, "id = ?", id).orElseThrow(() -> missing(id));
            update(c, "UPDATE machines SET spec = ? WHERE id = ?", codec.write(r.spec().withGdb(endpoint)), id);
            return rows.one(c, "id = ?", id).orElseThrow();
        });
    }

    /** A step of the claim's transaction, on the machine as claimed. */
    private interface ClaimStep {
        void apply(Connection c, MachineRecord claimed) throws SQLException;
    }

    /**
     * Makes this process the machine's owner, unless it runs or another live jkraft process owns it, and takes
     * {@code then} in the same transaction (which a refusal of {@code then} rolls back).
     */
    private MachineRecord claim(String id, String verb, ClaimStep then) {
        return db.write(c -> {
            MachineRecord r = rows.one(c, "id = ?", id).orElseThrow(() -> missing(id));
            if (r.status().claimsProcess()) {
                throw new UserException("cannot " + verb + " machine " + r.name() + ": it is " + r.status().word(),
                        "stop it first with `jkraft stop " + r.name() + "`");
            }
            ProcessIdentity owner = r.owner();
            if (owner != null && owner.pid() != self.pid() && owner.isAlive()) {
                throw new UserException("cannot " + verb + " machine " + r.name() + ": jkraft process "
                        + owner.pid() + " is working on it", "wait for that command to finish");
            }
            update(c, "UPDATE machines SET owner_pid = ?, owner_started = ? WHERE id = ?", self.pid(),
                    self.startedMillis(), id);
            then.apply(c, rows.one(c, "id = ?", id).orElseThrow());
            return rows.one(c, "id = ?", id).orElseThrow();
        });
    }

    private MachineRecord transition(String id, String verb, Set<MachineStatus> from, String assignments,
            Object... values) {
        return transition(id, verb, from, EnumSet.noneOf(MachineStatus.class), assignments, values);
    }

    /** Applies assignments to a machine in a state of {@code from}; one in {@code keep} stays as it is. */
    private MachineRecord transition(String id, String verb, Set<MachineStatus> from, Set<MachineStatus> keep,
            String assignments, Object... values) {
        return db.write(c -> {
            MachineRecord r = rows.one(c, "id = ?", id).orElseThrow(() -> missing(id));
            if (keep.contains(r.status())) {
                return r;
            }
            if (!from.contains(r.status())) {
                throw new UserException("cannot " + verb + " machine " + r.name() + ": it is " + r.status().word());
            }
            Object[] all = new Object[values.length + 1];
            System.arraycopy(values, 0, all, 0, values.length);
            all[values.length] = id;
            update(c, "UPDATE machines SET " + assignments + " WHERE id = ?", all);
            return ended(c, id);
        });
    }

    /** The machine as updated; one that stopped running has its addresses freed in the same transaction. */
    private MachineRecord ended(Connection c, String id) throws SQLException {
        MachineRecord r = rows.one(c, "id = ?", id).orElseThrow();
        if (!r.status().holdsAddresses()) {
            NetworkLeases.release(c, id);
        }
        return r;
    }

    private static UserException missing(String id) {
        return new UserException("machine " + id + " no longer exists", "`jkraft ps` lists the machines");
    }

    public static void deleteTree(Path dir) {
        try {
            FileTrees.deleteRecursively(dir);
        } catch (IOException e) {
            throw new UserException("cannot remove " + dir + ": " + e.getMessage(),
                    "check its permissions, then run the command again", e);
        }
    }
}
