package io.jkraft.machine.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * Follows QEMU's run state through a QMP monitor: QEMU can stop a guest for good and stay up (an
 * accelerator's internal error, a guest panic under {@code -action panic=pause}, an I/O error), and a
 * console that merely goes quiet looks the same as a guest that waits for work. QEMU announces each such
 * stop with an event (STOP, GUEST_PANICKED); the state it stopped in says whether the guest can go on.
 */
public final class RunStateWatch implements AutoCloseable {

    /** Run states in which the guest cannot go on by itself (QEMU's RunState names). */
    private static final Set<String> FOR_GOOD = Set.of("internal-error", "io-error", "guest-panicked", "watchdog");

    private final QmpClient qmp;
    /** Set once QEMU announced its end: no command may be sent then (QEMU 7.2 can hang at exit on one). */
    private boolean ending;
    /** When QEMU announced its end (System.nanoTime), or 0. */
    private long endingSince;

    private RunStateWatch(QmpClient qmp) {
        this.qmp = qmp;
    }

    /** Connects to the monitor at {@code socket} (a path {@link QemuStateDir#reach} gave), trying while {@code keepTrying}. */
    static RunStateWatch open(Path socket, Duration timeout, java.util.function.BooleanSupplier keepTrying)
            throws IOException {
        return new RunStateWatch(QmpClient.connect(socket, timeout, keepTrying));
    }

    /** Whether a run state keeps the guest from going on. */
    static boolean forGood(String runState) {
        return FOR_GOOD.contains(runState);
    }

    /** The state QEMU is in now, when it keeps the guest from going on; asks QEMU. */
    public Optional<String> now() throws IOException {
        String status = qmp.queryStatus();
        return forGood(status) ? Optional.of(status) : Optional.empty();
    }

    /**
     * What has arrived since the last look, without waiting: the state that keeps the guest from going on,
     * when QEMU stopped it in one. A plain pause (the user's, or a debugger's) is not one. QEMU is asked
     * only after a STOP that no SHUTDOWN preceded: the guest is stopped then and cannot end under the
     * question (on its way out QEMU announces SHUTDOWN, then STOP).
     */
    public Optional<String> poll() throws IOException {
        boolean stopped = false;
        for (JsonNode event : qmp.pollEvents()) {
            String name = event.path("event").asText();
            if (name.equals("GUEST_PANICKED")) {
                return Optional.of("guest-panicked");
            }
            if (name.equals("SHUTDOWN") && !ending) {
                ending = true;
                endingSince = System.nanoTime();
            }
            stopped |= name.equals("STOP");
        }
        return stopped && !ending ? now() : Optional.empty();
    }

    /** Whether QEMU announced its end (SHUTDOWN) longer than {@code patience} ago. */
    public boolean endingFor(Duration patience) {
        return ending && System.nanoTime() - endingSince > patience.toNanos();
    }

    /** Ends QEMU. */
    public void quit() throws IOException {
        qmp.quit();
    }

    @Override
    public void close() throws IOException {
        qmp.close();
    }
}
