package io.jkraft.cli;

import io.jkraft.pkg.oci.Descriptor;
import io.jkraft.registry.TransferListener;

/**
 * Shows a push or pull: on a terminal one line redrawn in place; otherwise one plain line per blob
 * (what happened to it, its short digest and size), which is what logs and tests read.
 */
final class ConsoleTransferListener implements TransferListener {
    private final Terminal terminal;
    private final GlobalOptions options;
    private int count;

    ConsoleTransferListener(Terminal terminal, GlobalOptions options) {
        this.terminal = terminal;
        this.options = options;
    }

    @Override
    public synchronized void transferred(Action action, Descriptor blob) {
        if (options.quiet()) {
            return;
        }
        count++;
        String line = switch (action) {
            case EXISTS -> "exists    ";
            case MOUNTED -> "mounted   ";
            case UPLOADED -> "uploaded  ";
            case DOWNLOADED -> "downloaded";
            case CACHED -> "cached    ";
            case MANIFEST -> "manifest  ";
        } + " " + blob.digest().toString().substring(0, 19) + "  " + size(blob.size());
        if (terminal.interactive()) {
            terminal.err().print("\r\u001b[2K[" + count + "] " + line + (action == Action.MANIFEST ? "\n" : ""));
        } else {
            terminal.err().println(line);
        }
        terminal.err().flush();
    }

    private static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        return bytes < 1 << 20 ? String.format("%.1f KiB", bytes / 1024.0) : String.format("%.1f MiB", bytes / 1048576.0);
    }
}
