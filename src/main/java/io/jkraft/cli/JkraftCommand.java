package io.jkraft.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;

/** What every jkraft command has: the context, the terminal, and the global options applied first. */
abstract class JkraftCommand implements Callable<Integer> {
    protected final CliContext context;
    protected final Terminal terminal;

    @Mixin
    GlobalOptions global;

    JkraftCommand(CliContext context) {
        this.context = context;
        this.terminal = context.terminal();
    }

    @Override
    public final Integer call() throws Exception {
        global.apply(terminal);
        return execute();
    }

    /** The command's work; returns the exit status. */
    abstract Integer execute() throws Exception;
}
