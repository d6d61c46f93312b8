package io.jkraft.cli;

import picocli.CommandLine.Option;

/** Options every command takes, as kraft has them. */
final class GlobalOptions {
    enum LogLevel { error, warn, info, debug, trace }

    @Option(names = "--log-level", paramLabel = "LEVEL", defaultValue = "info",
            description = "How much to print: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}); debug also shows make's output and stack traces.")
    LogLevel logLevel = LogLevel.info;

    @Option(names = "--no-color", description = "Do not colour the output (also: NO_COLOR in the environment).")
    boolean noColor;

    boolean verbose() {
        return logLevel.compareTo(LogLevel.debug) >= 0;
    }

    boolean quiet() {
        return logLevel.compareTo(LogLevel.warn) <= 0;
    }

    void apply(Terminal terminal) {
        if (noColor) {
            terminal.disableColor();
        }
    }
}
