package io.jkraft.cli;

import picocli.CommandLine;

/** Makes jkraft's commands for picocli, each with the command's context (terminal, invocation). */
public record CommandFactory(CliContext context) implements CommandLine.IFactory {
    @Override
    public <K> K create(Class<K> cls) throws Exception {
        try {
            return cls.getDeclaredConstructor(CliContext.class).newInstance(context);
        } catch (NoSuchMethodException e) {
            return CommandLine.defaultFactory().create(cls);
        }
    }
}
