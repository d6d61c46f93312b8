package io.jkraft.machine.api;

import java.io.IOException;

/** A VMM just started, its guest not yet running: it is either {@link #finish}ed or {@link #abandon}ed. */
public interface VmmStart {

    /**
     * Waits until the VMM is ready and resumes the guest, unless the plan keeps it paused. A VMM that refused to
     * start is a {@code UserException} with its own words.
     */
    VmmProcess finish() throws IOException;

    /** Ends the VMM, whose guest never ran, and whatever it started, for a start that is given up. */
    void abandon();
}
