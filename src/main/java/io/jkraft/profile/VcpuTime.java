package io.jkraft.profile;

import java.util.Optional;

/**
 * The share of the time the vCPUs ran before and while sampled, and waited for a host CPU while sampled.
 *
 * @param runBefore  1.0 when every vCPU ran all the time
 */
public record VcpuTime(double runBefore, double runSampled, double waitSampled) {
    /**
     * Below this share before sampling the guest was mostly idle: its vCPUs running less then says little
     * about its progress (a halted vCPU wakes for each sample, too).
     */
    public static final double BUSY = 0.25;

    /** The run time the vCPUs lost to sampling, as a share of what they ran before; empty for an idle guest. */
    public Optional<Double> slowdown() {
        return runBefore < BUSY ? Optional.empty() : Optional.of(1 - runSampled / runBefore);
    }
}
