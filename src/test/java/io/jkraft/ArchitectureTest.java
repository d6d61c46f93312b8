package io.jkraft;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps docs/ARCHITECTURE.md's table of packages true of the code, each sub-package a package of its own, with
 * no cycles; and files short.
 */
class ArchitectureTest {
    private static final Path MAIN = Path.of("src/main/java/io/jkraft");
    private static final Path TABLE = Path.of("docs/ARCHITECTURE.md");
    /** A use of a package of jkraft's: its name runs up to the first segment that is a class (or {@code *}). */
    private static final Pattern USE = Pattern.compile("\\bio\\.jkraft\\.((?:[a-z][a-z0-9]*\\.)*[a-z][a-z0-9]*)\\.[A-Z*]");
    /** A row of the table: | `package` | what it is | may depend on |. */
    private static final Pattern ROW = Pattern.compile("^\\| `([a-z][a-z0-9.]*)`\\s*\\|.*\\|([^|]*)\\|\\s*$");

    @Test
    void everyPackageHasARowAndDependsOnlyOnWhatItsRowAllows() throws IOException {
        Map<String, Set<String>> allowed = table();
        Map<String, Set<String>> uses = uses();
        assertThat(allowed.keySet()).as("the table's packages against the code's").containsExactlyInAnyOrderElementsOf(uses.keySet());
        List<String> violations = new ArrayList<>();
        uses.forEach((pkg, used) -> used.stream().filter(u -> !allowed.get(pkg).contains(u))
                .forEach(u -> violations.add(pkg + " uses " + u + ", which its row does not allow")));
        assertThat(violations).isEmpty();
    }

    @Test
    void noPackagesDependOnEachOtherInACycle() throws IOException {
        assertThat(cycle(uses())).as("a cycle in the code").isEmpty();
        assertThat(cycle(table())).as("a cycle the table allows").isEmpty();
    }

    @Test
    void theCycleCheckSeesACycleThroughSubPackages() {
        Map<String, Set<String>> graph = Map.of("profile", Set.of("profile.gdb"), "profile.gdb", Set.of("profile.sample"),
                "profile.sample", Set.of("profile"), "common", Set.of());
        assertThat(cycle(graph)).containsExactly("profile", "profile.gdb", "profile.sample", "profile");
        assertThat(packageOf("import io.jkraft.machine.qemu.MachineExit.Outcome;")).isEqualTo("machine.qemu");
        assertThat(packageOf("import static io.jkraft.profile.stack.Frame.of;")).isEqualTo("profile.stack");
        assertThat(packageOf("import io.jkraft.pkg.oci.*;")).isEqualTo("pkg.oci");
    }

    @Test
    void noSourceFileIsMuchOver400Lines() throws IOException {
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                assertThat(Files.readAllLines(file)).as(file.toString()).hasSizeLessThan(450);
            }
        }
    }

    /** The table's rows: each package to what it may depend on ("everything above": every earlier row). */
    private static Map<String, Set<String>> table() throws IOException {
        Map<String, Set<String>> rows = new LinkedHashMap<>();
        for (String line : Files.readAllLines(TABLE)) {
            Matcher m = ROW.matcher(line);
            if (!m.matches()) {
                continue;
            }
            String deps = m.group(2).strip();
            Set<String> allowed = new LinkedHashSet<>();
            if (deps.equals("everything above")) {
                allowed.addAll(rows.keySet());
            } else if (!deps.equals("(nothing)")) {
                for (String d : deps.split(",")) {
                    allowed.add(d.strip());
                }
            }
            assertThat(rows.put(m.group(1), allowed)).as("package %s has two rows", m.group(1)).isNull();
        }
        assertThat(rows).as("the table in " + TABLE).isNotEmpty();
        return rows;
    }

    /** Each package of the code to the other packages of jkraft's it uses. */
    private static Map<String, Set<String>> uses() throws IOException {
        Map<String, Set<String>> uses = new TreeMap<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String pkg = MAIN.relativize(file.getParent()).toString().replace('/', '.');
                Set<String> used = uses.computeIfAbsent(pkg, p -> new TreeSet<>());
                Matcher m = USE.matcher(Files.readString(file));
                while (m.find()) {
                    if (!m.group(1).equals(pkg)) {
                        used.add(m.group(1));
                    }
                }
            }
        }
        return uses;
    }

    private static String packageOf(String text) {
        Matcher m = USE.matcher(text);
        return m.find() ? m.group(1) : null;
    }

    /** A cycle of the graph as the packages along it (the first again at the end), or empty when it has none. */
    private static List<String> cycle(Map<String, Set<String>> graph) {
        Set<String> done = new LinkedHashSet<>();
        for (String start : new TreeSet<>(graph.keySet())) {
            List<String> found = cycleFrom(start, graph, new ArrayList<>(), done);
            if (!found.isEmpty()) {
                return found;
            }
        }
        return List.of();
    }

    private static List<String> cycleFrom(String pkg, Map<String, Set<String>> graph, List<String> path, Set<String> done) {
        int at = path.indexOf(pkg);
        if (at >= 0) {
            List<String> cycle = new ArrayList<>(path.subList(at, path.size()));
            cycle.add(pkg);
            return cycle;
        }
        if (done.contains(pkg)) {
            return List.of();
        }
        path.add(pkg);
        for (String next : new TreeSet<>(graph.getOrDefault(pkg, Set.of()))) {
            List<String> found = cycleFrom(next, graph, path, done);
            if (!found.isEmpty()) {
                return found;
            }
        }
        path.removeLast();
        done.add(pkg);
        return List.of();
    }
}
