package io.jkraft.net;

import io.jkraft.common.UserException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether this process may change the host's network devices: CAP_NET_ADMIN (bit 12) among its effective
 * capabilities, as root has it. Checked before the first change, so that a user without it gets one clear
 * message instead of iproute2's "Operation not permitted" half-way.
 */
public final class NetworkPrivilege {
    static final int CAP_NET_ADMIN = 12;

    private NetworkPrivilege() {}

    /** Whether the effective capabilities in {@code status} (a {@code /proc/PID/status}) include CAP_NET_ADMIN. */
    public static boolean held(Path status) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("CapEff:")) {
                    long caps = Long.parseUnsignedLong(line.substring("CapEff:".length()).strip(), 16);
                    return (caps & (1L << CAP_NET_ADMIN)) != 0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // unknown: let ip say whether it may
            return true;
        }
        return true;
    }

    /** Refuses, naming what to do, when this process lacks CAP_NET_ADMIN. */
    static void require(String what) {
        if (!held(Path.of("/proc/self/status"))) {
            throw missing(what + " needs root or the CAP_NET_ADMIN capability, which this jkraft process lacks");
        }
    }

    static UserException missing(String message) {
        return new UserException(message, "run jkraft as root (e.g. `sudo -E jkraft ...`), or give it CAP_NET_ADMIN; "
                + "without networks, -p publishes ports through QEMU's user networking and needs no privilege");
    }
}
