package io.jkraft.profile.gdb;

import java.io.IOException;

/** The gdbstub answered with an error, broke the protocol, or did not answer in time. */
public class GdbException extends IOException {
    public GdbException(String message) {
        super(message);
    }

    public GdbException(String message, Throwable cause) {
        super(message, cause);
    }
}
