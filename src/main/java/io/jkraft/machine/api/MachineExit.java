package io.jkraft.machine.api;

/**
 * How a machine ended.
 *
 * @param vmmExitCode the VMM's exit status as its waiter recorded it (128+N when killed by signal N),
 *                    or -1 when unknown
 * @param outcome     what that means for the user
 * @param detail      one line saying what happened
 * @param hint        how to fix a failure, or null
 * @param vmmState    the VMM's run state in which it stopped the guest for good (QEMU's internal-error,
 *                    guest-panicked, ...) before jkraft ended it, or null
 */
public record MachineExit(int vmmExitCode, Outcome outcome, String detail, String hint, String vmmState) {

    public MachineExit(int vmmExitCode, Outcome outcome, String detail, String hint) {
        this(vmmExitCode, outcome, detail, hint, null);
    }

    public enum Outcome {
        /** The guest halted on its own and nothing on its console looks like a failure. */
        POWERED_OFF,
        /** The guest crashed: Unikraft's crash exit on x86_64, or crash messages on the console. */
        CRASHED,
        /** QEMU itself failed: refused its arguments, or was killed by someone else. */
        FAILED,
        /**
         * QEMU stopped the guest for good and stayed up (an accelerator's internal error, an I/O error, a
         * watchdog); jkraft then ended QEMU.
         */
        STALLED,
        /** The user stopped the machine. */
        STOPPED,
        /** QEMU is gone but its exit status was never recorded (the wrapper was killed too). */
        LOST
    }

    /** Whether QEMU stopped the guest before jkraft ended it: QEMU's exit status then says nothing. */
    public boolean stoppedByQemu() {
        return vmmState != null;
    }

    /** Whether the guest failed because the accelerator (KVM) could not run it. */
    public boolean acceleratorFailed() {
        return "internal-error".equals(vmmState);
    }

    /** Whether this is an ending the user can call success: a clean power-off or their own stop. */
    public boolean success() {
        return outcome == Outcome.POWERED_OFF || outcome == Outcome.STOPPED;
    }
}
