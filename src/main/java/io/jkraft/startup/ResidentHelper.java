package io.jkraft.startup;

import io.jkraft.cli.Terminal;
import io.jkraft.common.ExitCode;
import io.jkraft.machine.store.MachineStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code jkraft __serve BASE}: the resident helper, a JVM that stays up between commands so that a command
 * does not pay for the JVM's start, its class loading and its first compilations each time (Gradle's
 * daemon does the same for the same reason). The launcher hands it a command through files and FIFOs in
 * its folder (protocol on {@link HelperRequest}); the helper runs the command as its own JVM would, with
 * the launcher's standard output and error, and answers the exit status.
 *
 * <p>A command runs with its launcher's working folder and environment (an {@link io.jkraft.common.Invocation}:
 * its relative paths, its variables, the programs it starts), so it sees what a JVM of its own would. A
 * launcher with another umask, or other values of the variables the JVM reads for itself, runs the command
 * itself and starts a new helper, which replaces this one: {@code BASE/current} names the serving helper's
 * folder, and a helper that is no longer current, or idle for {@link #idleLimit}, finishes the commands it
 * runs and exits. Which commands it serves is {@link CommandTable}'s; each helper writes their names to
 * {@code BASE/served} for the launcher.
 */
final class ResidentHelper {
    static final String COMMAND = "__serve";
    /** In the base folder: the names of the commands a helper of this jar serves, for the launcher. */
    static final String SERVED = "served";
    private static final Duration DEFAULT_IDLE = Duration.ofMinutes(20);
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    private final Path base;
    private final Path dir;
    private final Duration idleLimit;
    private final Map<Path, MachineStore> stores = new ConcurrentHashMap<>();
    private final AtomicInteger active = new AtomicInteger();
    private volatile long lastUsed = System.nanoTime();

    private ResidentHelper(Path base, Path dir, Duration idleLimit) {
        this.base = base;
        this.dir = dir;
        this.idleLimit = idleLimit;
    }

    /**
     * Serves until replaced or idle; returns the exit status of the helper itself.
     *
     * @param warmUp whether to run the AOT training first (tests skip it: it takes seconds)
     */
    static int serve(Path base, Terminal terminal, boolean warmUp) {
        ResidentHelper helper;
        Path folder = base.toAbsolutePath().normalize();
        try {
            Path starting = ownFolder(folder).resolve("starting");
            // Launchers that find no helper meanwhile start none of their own while this one warms up.
            Files.writeString(starting, ProcessHandle.current().pid() + "\n");
            if (warmUp) {
                warmUp();
            }
            helper = open(folder, idleLimit(System.getenv("JKRAFT_HELPER_IDLE")));
            Files.deleteIfExists(starting);
        } catch (IOException e) {
            terminal.err().println("error: the resident helper cannot use " + base + ": " + e.getMessage());
            terminal.err().flush();
            return ExitCode.NOT_STARTED.code();
        }
        helper.watch();
        helper.accept();
        return ExitCode.SUCCESS.code();
    }

    /**
     * Runs the launcher's AOT training once in this JVM, so that the first command served finds its classes
     * loaded and its hot paths compiled. A failure only costs that first command some milliseconds.
     */
    private static void warmUp() {
        try {
            new TrainCommand().call();
        } catch (Exception | LinkageError e) {
            // served colder
        }
    }

    static Duration idleLimit(String seconds) {
        if (seconds == null || !seconds.matches("\\d{1,6}")) {
            return DEFAULT_IDLE;
        }
        return Duration.ofSeconds(Long.parseLong(seconds));
    }

    /**
     * Makes this helper's folder and FIFO, writes the names of the commands it serves for the launcher, then
     * names it current (a symbolic link renamed into place).
     */
    private static Path ownFolder(Path base) throws IOException {
        Files.createDirectories(base, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        // Requests carry commands to run: only a folder of this user's alone may take them.
        if (!Files.getOwner(base, LinkOption.NOFOLLOW_LINKS).equals(Files.getOwner(Path.of("/proc/self")))
                || !Files.getPosixFilePermissions(base, LinkOption.NOFOLLOW_LINKS).equals(OWNER_ONLY)) {
            throw new IOException("it must be a folder of this user's with mode 0700");
        }
        return base;
    }

    private static ResidentHelper open(Path base, Duration idle) throws IOException {
        long pid = ProcessHandle.current().pid();
        Path dir = base.resolve("helper-" + pid);
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        Fifo.make(dir.resolve("requests"));
        Path pidTmp = dir.resolve("pid.tmp");
        Files.writeString(pidTmp, pid + "\n");
        Files.move(pidTmp, dir.resolve("pid"), StandardCopyOption.ATOMIC_MOVE);
        writeServedNames(base);
        Path link = base.resolve("current.tmp-" + pid);
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, dir.getFileName());
        Files.move(link, base.resolve("current"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return new ResidentHelper(base, dir, idle);
    }

    /** Writes {@code BASE/served}: the commands the helpers of this jar serve, for the launcher to read. */
    static void writeServedNames(Path base) throws IOException {
        Path tmp = base.resolve(SERVED + ".tmp-" + ProcessHandle.current().pid());
        Files.writeString(tmp, String.join(" ", CommandTable.servedNames()) + "\n");
        Files.move(tmp, base.resolve(SERVED), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private boolean current() {
        try {
            return Files.readSymbolicLink(base.resolve("current")).equals(dir.getFileName());
        } catch (IOException e) {
            return false;
        }
    }

    /** Ends the helper once it is replaced, or idle too long; commands in progress finish first. */
    private void watch() {
        Thread.ofPlatform().daemon().name("jkraft-helper-watch").start(() -> {
            boolean retiring = false;
            while (true) {
                try {
                    Thread.sleep(retiring ? 200 : 1000);
                } catch (InterruptedException e) {
                    return;
                }
                boolean idle = active.get() == 0 && System.nanoTime() - lastUsed > idleLimit.toNanos();
                if (!retiring && (idle || !current())) {
                    retiring = true;
                    retire();
                }
                if (retiring && active.get() == 0) {
                    removeFolder();
                    Runtime.getRuntime().halt(0);
                }
            }
        });
    }

    /** Stops taking commands: launchers no longer find this helper, and start a new one. */
    private void retire() {
        try {
            Files.deleteIfExists(dir.resolve("pid"));
            Files.deleteIfExists(dir.resolve("requests"));
            if (current()) {
                Files.deleteIfExists(base.resolve("current"));
            }
        } catch (IOException e) {
            // the launcher's liveness check covers a helper that is gone
        }
    }

    private void removeFolder() {
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.deleteIfExists(p);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // left for the next helper's start; it holds nothing a user needs
        }
    }

    /** Reads request lines for ever; each is served on a thread of its own. */
    private void accept() {
        // Opened for reading and writing, so that the FIFO never reports end-of-file between launchers.
        try (FileChannel fifo = FileChannel.open(dir.resolve("requests"), StandardOpenOption.READ, StandardOpenOption.WRITE);
                BufferedReader lines = new BufferedReader(new InputStreamReader(Channels.newInputStream(fifo),
                        StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                lastUsed = System.nanoTime();
                HelperRequest request = HelperRequest.parse(dir, line);
                if (request == null) {
                    continue;
                }
                active.incrementAndGet();
                Thread.ofPlatform().name("jkraft-helper-" + request.id()).start(() -> {
                    try {
                        request.serve(this::openStore);
                    } finally {
                        lastUsed = System.nanoTime();
                        active.decrementAndGet();
                    }
                });
            }
        } catch (IOException e) {
            // the FIFO went away: retired
        }
        while (true) {
            // the watch thread ends the JVM once the commands in progress are done
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One machine store per state folder for the helper's life: opening SQLite costs each command otherwise. */
    private MachineStore openStore(Path stateDir) {
        return stores.computeIfAbsent(stateDir.toAbsolutePath().normalize(), MachineStore::open);
    }
}
