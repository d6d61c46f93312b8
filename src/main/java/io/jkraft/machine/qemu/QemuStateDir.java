package io.jkraft.machine.qemu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The per-machine folder QEMU and its wrapper write into. Everything about a running or finished
 * machine can be read back from here, so a later jkraft process (ps, logs, stop) needs no other record.
 *
 * @param dir the folder (absolute)
 */
public record QemuStateDir(Path dir) {

    public QemuStateDir {
        dir = dir.toAbsolutePath();
    }

    /** QEMU's pid, written by QEMU itself ({@code -pidfile}). */
    public Path pidFile() {
        return dir.resolve("machine.pid");
    }

    /** The pid of the shell that waits for QEMU and records its exit status. */
    public Path wrapperPidFile() {
        return dir.resolve("wrapper.pid");
    }

    /** The QMP socket's file name; QEMU creates it in its working folder, which is this folder. */
    static final String QMP_SOCKET = "qmp.sock";
    /** The second QMP monitor's file name: the one a foreground run holds to follow QEMU's events. */
    static final String EVENTS_SOCKET = "events.sock";

    /** The QMP control socket, where the file is (its path may be too long to connect to: see {@link #reach}). */
    public Path qmpSocket() {
        return dir.resolve(QMP_SOCKET);
    }

    /** The monitor a foreground run follows QEMU's run state through, where the file is. */
    public Path eventsSocket() {
        return dir.resolve(EVENTS_SOCKET);
    }

    /**
     * A path to a socket in this folder that fits in {@code sockaddr_un} (107 bytes) however long the folder's
     * own path is: through {@code /proc/PID/cwd} of a process whose working folder this is (QEMU, or the
     * waiter that started it). QEMU is started in this folder and binds its sockets by their bare names, so
     * a user's state folder may be as long as the file system allows.
     *
     * @param pid    QEMU's or its waiter's process id
     * @param socket {@link #QMP_SOCKET} or {@link #EVENTS_SOCKET}
     * @throws IOException when that process is gone or works elsewhere (a reused pid), so that a client never
     *                     reaches the monitor of another machine
     */
    public Path reach(long pid, String socket) throws IOException {
        Path cwd = Path.of("/proc", Long.toString(pid), "cwd");
        Path actual;
        try {
            actual = Files.readSymbolicLink(cwd);
        } catch (IOException e) {
            throw new java.nio.file.NoSuchFileException(cwd.toString(), null, "process " + pid + " is gone");
        }
        if (!actual.equals(dir) && !actual.equals(dir.toRealPath())) {
            throw new java.nio.file.NoSuchFileException(cwd.toString(), null,
                    "process " + pid + " does not run in " + dir);
        }
        return cwd.resolve(socket);
    }

    /** The guest's serial console. */
    public Path consoleLog() {
        return dir.resolve("machine.log");
    }

    /** QEMU's own stdout and stderr: its error messages when it refuses to start. */
    public Path qemuLog() {
        return dir.resolve("qemu.log");
    }

    /** QEMU's log of guest errors ({@code -d guest_errors}): "Guest crashed" when the guest reported a panic. */
    public Path guestErrorsLog() {
        return dir.resolve("guest-errors.log");
    }

    /** QEMU's exit status, written by the wrapper shell once QEMU has ended. */
    public Path exitCodeFile() {
        return dir.resolve("exit-code");
    }

    /**
     * Present once QEMU stopped the guest for good and jkraft ended it: the QEMU run state it was in
     * (internal-error, guest-panicked, ...), so that the ending reads as that and not as a power-off.
     */
    public Path guestStoppedFile() {
        return dir.resolve("guest-stopped");
    }

    /** Present when the user asked the machine to stop, so that its end is not taken for a crash. */
    public Path stopRequestedFile() {
        return dir.resolve("stop-requested");
    }
}
