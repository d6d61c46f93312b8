package io.jkraft.cli;

import io.jkraft.build.BuildListener;
import io.jkraft.kraftfile.Target;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Shows a build: on a terminal one live line (objects compiled of the expected total, current library,
 * elapsed time) redrawn in place; otherwise plain lines, one per library as the build reaches it.
 */
final class ConsoleBuildListener implements BuildListener {
    private final Terminal terminal;
    private final GlobalOptions options;
    private final long start = System.nanoTime();
    private final Map<Target, String> lastLibrary = new ConcurrentHashMap<>();
    private boolean lineOpen;
    private long lastDraw;

    ConsoleBuildListener(Terminal terminal, GlobalOptions options) {
        this.terminal = terminal;
        this.options = options;
    }

    @Override
    public synchronized void info(String message) {
        if (!options.quiet()) {
            println(terminal.err(), message);
        }
    }

    @Override
    public synchronized void warning(String message) {
        println(terminal.err(), terminal.yellow("warning: ") + message);
    }

    @Override
    public synchronized void progress(Target target, int objects, int expected, String library) {
        if (options.quiet() || options.verbose()) {
            return;
        }
        String count = expected > 0 ? objects + "/" + Math.max(objects, expected) : Integer.toString(objects);
        if (terminal.interactive()) {
            long now = System.nanoTime();
            // Redrawing on every object would cost more than the compile steps are worth on a fast build.
            if (now - lastDraw < 50_000_000L) {
                return;
            }
            lastDraw = now;
            String line = String.format("[%s] %s objects  %s  %.1fs", target.platArch(), count, library,
                    (now - start) / 1e9);
            terminal.err().print("\r\u001b[2K" + line);
            terminal.err().flush();
            lineOpen = true;
        } else if (!library.equals(lastLibrary.put(target, library))) {
            terminal.err().println("[" + target.platArch() + "] " + count + " objects, " + library);
        }
    }

    /** A live line on a terminal only: plain output has the "downloading X from URL" line and where it came from. */
    @Override
    public synchronized void downloading(String file, long bytes, long total) {
        if (options.quiet() || !terminal.interactive()) {
            return;
        }
        long now = System.nanoTime();
        if (now - lastDraw < 100_000_000L && bytes != total) {
            return;
        }
        lastDraw = now;
        String size = total > 0 ? mebibytes(bytes) + "/" + mebibytes(total) + " MiB" : mebibytes(bytes) + " MiB";
        terminal.err().print("\r\u001b[2K[origin] " + file + "  " + size);
        terminal.err().flush();
        lineOpen = true;
    }

    private static String mebibytes(long bytes) {
        return String.format("%.1f", bytes / 1048576.0);
    }

    @Override
    public synchronized void makeLine(Target target, String line) {
        if (options.verbose()) {
            println(terminal.err(), "[" + target.platArch() + "] " + line);
        }
    }

    /** Ends a live line before anything else is printed. */
    synchronized void println(PrintWriter w, String text) {
        if (lineOpen) {
            terminal.err().print("\r\u001b[2K");
            terminal.err().flush();
            lineOpen = false;
        }
        w.println(text);
        w.flush();
    }
}
