package io.jkraft.startup;

import io.jkraft.cli.BuildCommand;
import io.jkraft.cli.CleanCommand;
import io.jkraft.cli.DebugCommand;
import io.jkraft.cli.FetchCommand;
import io.jkraft.cli.InspectCommand;
import io.jkraft.cli.LoginCommand;
import io.jkraft.cli.LogoutCommand;
import io.jkraft.cli.LogsCommand;
import io.jkraft.cli.MenuCommand;
import io.jkraft.cli.NetCommand;
import io.jkraft.cli.PauseCommand;
import io.jkraft.cli.PkgCommand;
import io.jkraft.cli.ProfileCommand;
import io.jkraft.cli.PsCommand;
import io.jkraft.cli.RmCommand;
import io.jkraft.cli.RunCommand;
import io.jkraft.cli.StartCommand;
import io.jkraft.cli.StopCommand;
import io.jkraft.cli.UnpauseCommand;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine;

/**
 * Every command of jkraft, with what starting it depends on. It is the one list: picocli's subcommands and the
 * machine commands come from it, the resident helper serves what it marks and writes those names for the
 * launcher (scripts/helper-client.sh reads them), and {@code CommandTableTest} checks the docs against it.
 */
final class CommandTable {
    /** Who runs a command. */
    enum Runner {
        /** The resident helper: a command measured by its latency and run over and over. */
        HELPER,
        /** A JVM of its own: the command reads the terminal or stdin, or runs make in the foreground. */
        OWN_JVM
    }

    /**
     * @param name         as the user types it (an alias is an entry of its own)
     * @param type         picocli's command class
     * @param runner       who runs it
     * @param machineStore whether it uses the machine store, which is then opened while picocli parses
     * @param hidden       left out of the names users type (help, the AOT training)
     */
    record Entry(String name, Class<?> type, Runner runner, boolean machineStore, boolean hidden) {}

    private static final boolean STORE = true;
    private static final boolean NO_STORE = false;

    /** In the order help lists them. */
    static final List<Entry> ENTRIES = List.of(
            // make in the foreground: its output and Ctrl-C are the user's terminal's
            own("build", BuildCommand.class, NO_STORE),
            own("fetch", FetchCommand.class, NO_STORE),
            own("clean", CleanCommand.class, NO_STORE),
            // menuconfig reads the terminal
            own("menu", MenuCommand.class, NO_STORE),
            own("menuconfig", MenuCommand.class, NO_STORE),
            served("pkg", PkgCommand.class, NO_STORE),
            served("run", RunCommand.class, STORE),
            served("ps", PsCommand.class, STORE),
            served("logs", LogsCommand.class, STORE),
            served("stop", StopCommand.class, STORE),
            served("start", StartCommand.class, STORE),
            served("pause", PauseCommand.class, STORE),
            served("unpause", UnpauseCommand.class, STORE),
            served("rm", RmCommand.class, STORE),
            served("remove", RmCommand.class, STORE),
            served("inspect", InspectCommand.class, STORE),
            served("profile", ProfileCommand.class, STORE),
            // seldom run, and acting on the network namespace of whoever runs them: never another process's
            own("net", NetCommand.class, STORE),
            own("network", NetCommand.class, STORE),
            // gdb reads the terminal
            own("debug", DebugCommand.class, STORE),
            // the password is typed or read from stdin
            own("login", LoginCommand.class, NO_STORE),
            own("logout", LogoutCommand.class, NO_STORE),
            new Entry("help", CommandLine.HelpCommand.class, Runner.OWN_JVM, NO_STORE, true),
            new Entry(TrainCommand.NAME, TrainCommand.class, Runner.OWN_JVM, NO_STORE, true));

    private CommandTable() {}

    private static Entry served(String name, Class<?> type, boolean machineStore) {
        return new Entry(name, type, Runner.HELPER, machineStore, false);
    }

    private static Entry own(String name, Class<?> type, boolean machineStore) {
        return new Entry(name, type, Runner.OWN_JVM, machineStore, false);
    }

    /** The entry a command line's first word names. */
    static Optional<Entry> find(String name) {
        for (Entry e : ENTRIES) {
            if (e.name().equals(name)) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    /** Every name users type, aliases included. */
    static List<String> visibleNames() {
        return ENTRIES.stream().filter(e -> !e.hidden()).map(Entry::name).toList();
    }

    /** The names the resident helper serves, aliases included. */
    static List<String> servedNames() {
        return ENTRIES.stream().filter(e -> e.runner() == Runner.HELPER).map(Entry::name).toList();
    }

    /** Whether the resident helper serves the command a command line names. */
    static boolean served(List<String> args) {
        return !args.isEmpty() && find(args.getFirst()).map(e -> e.runner() == Runner.HELPER).orElse(false);
    }
}
