package io.jkraft.machine.api;

import java.nio.file.Path;
import java.time.Duration;

/** What a {@link VmmDriver} decided for one start of a machine, before the VMM starts. */
public interface VmmPlan {

    MachineSpec spec();

    Path stateDir();

    /** Whether the guest stays paused after the start, until a resume. */
    boolean startPaused();

    /** A line for the user about how the machine runs (emulation instead of KVM, say), or null. */
    String notice();

    /**
     * How long a detached start waits for the guest's first output, so that a guest this plan's choices make fail
     * at once is seen (and {@link VmmDriver#retry retried}) before {@code run -d} returns; zero for no wait.
     */
    Duration firstOutputWatch();
}
