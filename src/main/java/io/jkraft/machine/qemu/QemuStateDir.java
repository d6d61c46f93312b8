package io.jkraft.machine.qemu;

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

    /** The QMP control socket. */
    public Path qmpSocket() {
        return dir.resolve("qmp.sock");
    }

    /** The guest's serial console. */
    public Path consoleLog() {
        return dir.resolve("machine.log");
    }

    /** QEMU's own stdout and stderr: its error messages when it refuses to start. */
    public Path qemuLog() {
        return dir.resolve("qemu.log");
    }

    /** QEMU's exit status, written by the wrapper shell once QEMU has ended. */
    public Path exitCodeFile() {
        return dir.resolve("exit-code");
    }

    /** Present when the user asked the machine to stop, so that its end is not taken for a crash. */
    public Path stopRequestedFile() {
        return dir.resolve("stop-requested");
    }
}
