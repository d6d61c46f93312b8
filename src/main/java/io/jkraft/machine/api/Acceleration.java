package io.jkraft.machine.api;

import io.jkraft.common.UserException;
import java.util.Locale;

/** How a machine's CPU is to run: as the host allows (KVM when it really works), KVM only, or emulated. */
public enum Acceleration {
    /** KVM when the host's probe says it runs a guest, else TCG; a guest KVM fails on at once is run again under TCG. */
    AUTO,
    /** KVM, as the user asked: no probe, no fallback; a failure is the user's to see. */
    KVM,
    /** TCG emulation (-W/--disable-acceleration). */
    TCG;

    /** As the user and the store write it: auto, kvm, tcg. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** --accel's value. */
    public static Acceleration parse(String word) {
        for (Acceleration a : values()) {
            if (a.word().equals(word.toLowerCase(Locale.ROOT))) {
                return a;
            }
        }
        throw new UserException("--accel " + word + ": not an accelerator", "use auto, kvm or tcg");
    }
}
