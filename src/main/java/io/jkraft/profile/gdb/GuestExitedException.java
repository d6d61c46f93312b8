package io.jkraft.profile.gdb;

/**
 * The guest ended while the client was talking to it: the gdbstub reported an exit ({@code W}) or a
 * termination ({@code X}), or QEMU closed the connection as it exited. A sampler stops here; there is
 * nothing left to sample.
 */
public final class GuestExitedException extends GdbException {
    private final int status;

    /**
     * @param status the exit status ({@code W}) or signal ({@code X}) the stub reported, or -1 when the
     *               connection simply closed
     */
    public GuestExitedException(String message, int status, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** The exit status or signal the stub reported, or -1 when the connection closed without one. */
    public int status() {
        return status;
    }
}
