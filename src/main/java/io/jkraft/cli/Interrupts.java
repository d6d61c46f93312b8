package io.jkraft.cli;

/**
 * Where a command hears that the user interrupted it (Ctrl-C, SIGTERM, a closed terminal). A command run
 * by its own JVM hears it through a shutdown hook; one run by the resident helper hears it from the
 * launcher that forwarded the signal, while the helper's JVM goes on.
 */
public interface Interrupts {
    /**
     * Runs {@code action} when the user interrupts the command, before it ends with the signal's status.
     *
     * @return undoes the registration; call it when the work the action guards is over
     */
    Runnable onInterrupt(Runnable action);

    /** The JVM's own: a shutdown hook, which SIGINT, SIGTERM and SIGHUP run before the JVM exits. */
    Interrupts JVM = action -> {
        Thread hook = new Thread(action, "jkraft-interrupt");
        Runtime.getRuntime().addShutdownHook(hook);
        return () -> {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs (or ran) already; nothing to undo
            }
        };
    };
}
