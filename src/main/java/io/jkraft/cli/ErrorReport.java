package io.jkraft.cli;

import io.jkraft.common.ExitCode;
import io.jkraft.common.UserException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/** One clear message instead of a stack trace; the trace only at --log-level debug. */
public final class ErrorReport implements IExecutionExceptionHandler {
    private final Terminal terminal;

    public ErrorReport(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public int handleExecutionException(Exception e, CommandLine cmd, ParseResult parsed) {
        boolean debug = parsed.subcommands().stream().anyMatch(p -> p.hasMatchedOption("--log-level")
                && p.matchedOptionValue("--log-level", GlobalOptions.LogLevel.info).compareTo(GlobalOptions.LogLevel.debug) >= 0);
        return report(e, debug);
    }

    /** Prints the error; returns the exit status: 1 for bad input, 3 for a failure of jkraft's own. */
    public int report(Exception e, boolean debug) {
        PrintWriter err = terminal.err();
        if (e instanceof UserException u) {
            err.println(terminal.red("error: ") + u.getMessage());
            if (u.hint() != null) {
                err.println("hint: " + u.hint());
            }
            if (debug) {
                e.printStackTrace(err);
            }
            err.flush();
            return ExitCode.ERROR.code();
        }
        err.println(terminal.red("error: ") + "unexpected failure: " + e);
        if (debug) {
            e.printStackTrace(err);
        } else {
            err.println("hint: run again with --log-level debug for details, and report it");
        }
        err.flush();
        return ExitCode.INTERNAL_ERROR.code();
    }
}
