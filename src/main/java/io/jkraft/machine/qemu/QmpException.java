package io.jkraft.machine.qemu;

import java.io.IOException;

/** QEMU answered a QMP command with an error. */
public final class QmpException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String errorClass;

    public QmpException(String command, String errorClass, String description) {
        super("QMP " + command + " failed: " + description + " (" + errorClass + ")");
        this.errorClass = errorClass;
    }

    /** QEMU's error class, e.g. {@code GenericError} or {@code CommandNotFound}. */
    public String errorClass() {
        return errorClass;
    }
}
