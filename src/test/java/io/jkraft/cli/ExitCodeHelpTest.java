package io.jkraft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jkraft.common.ExitCode;
import io.jkraft.common.Invocation;
import io.jkraft.startup.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exit statuses in --help come from ExitCode's table, and picocli exits with the table's. */
class ExitCodeHelpTest {
    private record Result(int status, String out, String err) {}

    /** jkraft's folders: a command of the machine store opens it at once. */
    @TempDir
    Path home;

    private Result jkraft(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Main.execute(args, new Terminal(new PrintWriter(out, true), new PrintWriter(err, true), false),
                new Invocation(Path.of("").toAbsolutePath(), Map.of("HOME", home.toString())));
        return new Result(status, out.toString(), err.toString());
    }

    @Test
    void runsHelpListsEveryStatusOfTheTableWithItsMeaning() {
        String help = jkraft("run", "--help").out();
        assertThat(help).contains("Exit status:");
        for (ExitCode c : ExitCode.values()) {
            assertThat(help).contains(String.format("%3d   %s", c.code(), firstWords(c.meaning())));
        }
    }

    @Test
    void theRootHelpListsTheStatusesEveryCommandHas() {
        String help = jkraft("--help").out();
        for (ExitCode c : List.of(ExitCode.SUCCESS, ExitCode.ERROR, ExitCode.NOT_STARTED, ExitCode.INTERNAL_ERROR,
                ExitCode.INTERRUPTED)) {
            assertThat(help).contains(String.format("%3d   %s", c.code(), firstWords(c.meaning())));
        }
        assertThat(help).doesNotContain(firstWords(ExitCode.GUEST_CRASHED.meaning()));
    }

    @Test
    void logsHelpListsAClosedOutput() {
        assertThat(jkraft("logs", "--help").out()).contains("141   " + firstWords(ExitCode.OUTPUT_CLOSED.meaning()));
    }

    @Test
    void aCommandLineThatDoesNotParseEndsWithTheTablesStatus() {
        Result run = jkraft("run", "--bogus", "app");
        assertThat(run.status()).as(run.err()).isEqualTo(ExitCode.NOT_STARTED.code());
        assertThat(run.err()).contains("--bogus");
        assertThat(jkraft("logs").status()).isEqualTo(ExitCode.NOT_STARTED.code());
    }

    @Test
    void badInputEndsWithTheTablesError() {
        Result r = jkraft("run", "-m", "riscv64", "app");
        assertThat(r.status()).isEqualTo(ExitCode.ERROR.code());
        assertThat(r.err()).contains("unknown architecture 'riscv64'", "aliases: amd64, aarch64, arm32");
    }

    /** The start of a meaning, as picocli wraps the rest onto the next lines. */
    private static String firstWords(String meaning) {
        return meaning.substring(0, Math.min(meaning.length(), 30));
    }
}
