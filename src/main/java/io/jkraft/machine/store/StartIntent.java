package io.jkraft.machine.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * The file a `run` writes in a machine's runtime folder before it starts the VMM (paused) and records
 * the machine, so that both overlap: it names the jkraft process doing it. While that process lives, the
 * folder and its VMM are a start in progress, not strays; once it is gone and no record has appeared,
 * {@link Reconciler} ends the VMM and removes the folder (the guest never ran: it was never resumed).
 */
public final class StartIntent {
    public static final String FILE = "starting";

    private StartIntent() {}

    /** Creates the runtime folder {@code dir} with the intent of this process in it. */
    public static void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        ProcessIdentity self = ProcessIdentity.currentQuickly();
        Path tmp = dir.resolve(FILE + ".tmp");
        Files.writeString(tmp, self.pid() + " " + self.startedMillis() + "\n");
        Files.move(tmp, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Removes the intent once the machine is recorded (the record speaks for the folder from then on). */
    public static void clear(Path dir) throws IOException {
        Files.deleteIfExists(dir.resolve(FILE));
    }

    /** Who is starting the machine of {@code dir}, when a start is in progress or was abandoned there. */
    static Optional<ProcessIdentity> owner(Path dir) {
        try {
            String[] words = Files.readString(dir.resolve(FILE)).strip().split(" ");
            return Optional.of(new ProcessIdentity(Long.parseLong(words[0]), Long.parseLong(words[1])));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            // Half-written by a process killed while writing it: nobody is starting anything here.
            return Optional.of(new ProcessIdentity(-1, 0));
        }
    }

    /** Whether a live process is starting the machine of {@code dir} right now. */
    static boolean inProgress(Path dir) {
        return owner(dir).map(StartIntent::alive).orElse(false);
    }

    /** Whether {@code dir} holds the intent of a start whose process is gone. */
    static boolean abandoned(Path dir) {
        return owner(dir).map(o -> !alive(o)).orElse(false);
    }

    private static boolean alive(ProcessIdentity owner) {
        return owner.pid() > 0 && owner.isAlive();
    }
}
