package io.jkraft.cli;

import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/**
 * The user's terminal: whether live progress lines and colours make sense, and the two output streams.
 * Colour is off when --no-color, NO_COLOR (the command's, see disableColor) or a non-terminal says so.
 */
public final class Terminal {
    private final PrintWriter out;
    private final PrintWriter err;
    private final boolean interactive;
    private final OutputStream console;
    private volatile boolean color;

    public Terminal() {
        this(new PrintWriter(System.out, true, StandardCharsets.UTF_8),
                new PrintWriter(System.err, true, StandardCharsets.UTF_8),
                System.console() != null && System.console().isTerminal(),
                // Not System.out: a PrintStream hides a closed pipe (`jkraft run app | head`), and the run would
                // go on for ever with nobody reading.
                new java.io.FileOutputStream(java.io.FileDescriptor.out));
    }

    public Terminal(PrintWriter out, PrintWriter err, boolean interactive) {
        this(out, err, interactive, OutputStream.nullOutputStream());
    }

    /** @param console where a guest's console bytes go, unchanged (stdout for real runs) */
    public Terminal(PrintWriter out, PrintWriter err, boolean interactive, OutputStream console) {
        this.console = console;
        this.out = out;
        this.err = err;
        this.interactive = interactive;
        // NO_COLOR is the invocation's: the entry point turns colour off for it (disableColor).
        this.color = interactive;
    }

    public PrintWriter out() {
        return out;
    }

    /** The raw byte stream for a guest's console, which is not necessarily valid text. */
    public OutputStream console() {
        return console;
    }

    public PrintWriter err() {
        return err;
    }

    /** True when stdout is a terminal, so a line may be redrawn in place. */
    public boolean interactive() {
        return interactive;
    }

    public void disableColor() {
        color = false;
    }

    public String red(String s) {
        return color ? "\u001b[31m" + s + "\u001b[0m" : s;
    }

    public String yellow(String s) {
        return color ? "\u001b[33m" + s + "\u001b[0m" : s;
    }

    public String green(String s) {
        return color ? "\u001b[32m" + s + "\u001b[0m" : s;
    }
}
