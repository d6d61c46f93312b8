package io.jkraft.startup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command table is the one list: the launcher decides from what the helper writes of it, and the docs name
 * what it says. A command added to the table without its doc, or a doc naming one the helper does not serve,
 * fails here.
 */
class CommandTableTest {
    private static final Path CLIENT = Path.of("scripts/helper-client.sh").toAbsolutePath();
    private static final Pattern BACKTICKED = Pattern.compile("`([a-z_]+)`");

    @TempDir
    Path dir;

    /** The commands of the table run by {@code runner}, each once (not its aliases). */
    private static Set<String> commands(CommandTable.Runner runner) {
        Set<Class<?>> seen = new java.util.HashSet<>();
        Set<String> names = new LinkedHashSet<>();
        for (CommandTable.Entry e : CommandTable.ENTRIES) {
            if (seen.add(e.type()) && e.runner() == runner && !e.hidden()) {
                names.add(e.name());
            }
        }
        return names;
    }

    /** The backticked names in the parenthesis (or sentence) that follows {@code phrase} in {@code doc}. */
    private static Set<String> namedAfter(String doc, String phrase, String until) throws Exception {
        String text = Files.readString(Path.of(doc)).replace('\n', ' ');
        int at = text.toLowerCase(Locale.ROOT).indexOf(phrase.toLowerCase(Locale.ROOT));
        assertThat(at).as("%s says \"%s\"", doc, phrase).isNotNegative();
        int end = text.indexOf(until, at + phrase.length());
        Matcher m = BACKTICKED.matcher(text.substring(at + phrase.length(), end));
        Set<String> names = new LinkedHashSet<>();
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    @Test
    void theDocsNameTheCommandsTheHelperServesAndTheOthers() throws Exception {
        Set<String> served = commands(CommandTable.Runner.HELPER);
        assertThat(served).contains("run", "pkg", "ps");
        for (String doc : List.of("README.md", "docs/ARCHITECTURE.md")) {
            assertThat(namedAfter(doc, "commands measured by their latency (", ")")).as(doc)
                    .containsExactlyInAnyOrderElementsOf(served);
        }
        assertThat(namedAfter("docs/ARCHITECTURE.md", "Not: ", "."))
                .as("ARCHITECTURE.md's list of the commands a JVM of their own runs")
                .containsExactlyInAnyOrderElementsOf(commands(CommandTable.Runner.OWN_JVM));
    }

    @Test
    void theLauncherSendsWhatTheHelpersTableServesAndAnyCommandBeforeAHelperSaidSo() throws Exception {
        Path base = Files.createDirectories(dir.resolve("run/jkraft"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path jar = Files.writeString(dir.resolve("jkraft-cli.jar"), "");
        Files.setLastModifiedTime(jar, FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
        List<String> words = List.of("run", "remove", "pkg", "build", "login", "menuconfig", "--version", "nosuch");

        assertThat(suits(jar, words)).as("before any helper: every command word may go")
                .containsExactly("run", "remove", "pkg", "build", "login", "menuconfig", "nosuch");

        ResidentHelper.writeServedNames(base);
        assertThat(Files.readString(base.resolve(ResidentHelper.SERVED)).strip().split(" "))
                .containsExactlyElementsOf(CommandTable.servedNames());
        assertThat(suits(jar, words)).as("the table's").containsExactly("run", "remove", "pkg");

        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().plusSeconds(60)));
        assertThat(suits(jar, words)).as("a jar newer than the list: the list may be another jar's")
                .containsExactly("run", "remove", "pkg", "build", "login", "menuconfig", "nosuch");
    }

    /** The words that the launcher's {@code jkraft_helper_suits} sends to the helper. */
    private List<String> suits(Path jar, List<String> words) throws Exception {
        StringBuilder script = new StringBuilder(". \"$0\"\n");
        for (String w : words) {
            script.append("jkraft_helper_suits \"$1\" '").append(w).append("' && echo '").append(w).append("'\n");
        }
        script.append("true\n");
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", script.toString(), CLIENT.toString(), jar.toString());
        pb.environment().clear();
        pb.environment().put("XDG_RUNTIME_DIR", dir.resolve("run").toString());
        pb.environment().put("PATH", System.getenv("PATH"));
        Process p = pb.redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        return out.lines().toList();
    }
}
