package io.jkraft.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The table of exit statuses, and the launcher scripts' own statuses against it. */
class ExitCodeTest {
    private static final Path[] LAUNCHER = {Path.of("jkraft"), Path.of("scripts/helper-client.sh")};
    private static final Pattern EXIT = Pattern.compile("(?m)^[^#\\n]*\\bexit (\\d+)\\b");
    private static final Pattern SIGNAL_EXIT = Pattern.compile("(?m)^[^#\\n]*\\bexit \\$\\(\\((\\d+) \\+");
    /** The helper client's answers to the launcher alone (jkraft_helper_run returns them, never exits with them). */
    private static final Pattern PRIVATE_RETURN = Pattern.compile("\\breturn (\\d{2,3})\\b");

    @Test
    void theLaunchersExitStatusesAreTheTablesLauncherEntries() throws IOException {
        Set<Integer> literals = new TreeSet<>();
        for (Path script : LAUNCHER) {
            Matcher m = EXIT.matcher(Files.readString(script));
            while (m.find()) {
                literals.add(Integer.parseInt(m.group(1)));
            }
        }
        assertThat(literals).as("the statuses `exit N` in the launcher scripts")
                .containsExactlyInAnyOrderElementsOf(ExitCode.launcherExits().stream().map(ExitCode::code).toList());
    }

    @Test
    void theLauncherEndsOnASignalWithTheTablesBase() throws IOException {
        Matcher m = SIGNAL_EXIT.matcher(Files.readString(Path.of("scripts/helper-client.sh")));
        int found = 0;
        while (m.find()) {
            assertThat(Integer.parseInt(m.group(1))).isEqualTo(ExitCode.SIGNAL_BASE);
            found++;
        }
        assertThat(found).as("exit $((128 + signal)) in the helper client").isPositive();
        assertThat(ExitCode.ofSignal(2)).isEqualTo(ExitCode.INTERRUPTED.code());
        assertThat(ExitCode.ofSignal(13)).isEqualTo(ExitCode.OUTPUT_CLOSED.code());
    }

    @Test
    void theHelperClientsPrivateAnswersAreNoStatusJkraftExitsWith() throws IOException {
        Matcher m = PRIVATE_RETURN.matcher(Files.readString(Path.of("scripts/helper-client.sh")));
        Set<Integer> answers = new TreeSet<>();
        while (m.find()) {
            answers.add(Integer.parseInt(m.group(1)));
        }
        assertThat(answers).containsExactly(97, 98, 99);
        answers.forEach(a -> assertThat(ExitCode.of(a)).as("status %d", a).isEmpty());
    }

    @Test
    void everyStatusIsOneEntryWithAMeaning() {
        assertThat(Arrays.stream(ExitCode.values()).map(ExitCode::code)).doesNotHaveDuplicates();
        assertThat(ExitCode.values()).allSatisfy(e -> assertThat(e.meaning()).isNotBlank());
        assertThat(ExitCode.of(0)).contains(ExitCode.SUCCESS);
        assertThat(ExitCode.of(141)).contains(ExitCode.OUTPUT_CLOSED);
        assertThat(ExitCode.of(7)).isEmpty();
    }
}
