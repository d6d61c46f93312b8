package io.jkraft.common;

import java.time.Duration;

/** Durations as messages give them: {@code 300 ms}, {@code 30 s}, {@code 10 min}. */
public final class Durations {
    private Durations() {}

    public static String words(Duration d) {
        if (d.toMillis() % 1000 != 0) {
            return d.toMillis() + " ms";
        }
        long seconds = d.toSeconds();
        return seconds >= 120 && seconds % 60 == 0 ? seconds / 60 + " min" : seconds + " s";
    }
}
