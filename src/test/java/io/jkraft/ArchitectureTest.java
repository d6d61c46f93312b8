package io.jkraft;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Keeps the package dependencies written in docs/ARCHITECTURE.md true, and files short. */
class ArchitectureTest {
    private static final Path MAIN = Path.of("src/main/java/io/jkraft");
    private static final Pattern USE = Pattern.compile("\\bio\\.jkraft\\.([a-z]+)\\.");

    /** Top-level package to the top-level packages it may use. */
    private static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
            Map.entry("common", Set.<String>of()),
            Map.entry("config", Set.of("common")),
            Map.entry("kraftfile", Set.of("common")),
            Map.entry("source", Set.of("common", "kraftfile")),
            Map.entry("index", Set.of("common", "config", "kraftfile", "source")),
            Map.entry("kconfig", Set.of("common")),
            Map.entry("build", Set.of("common", "config", "kraftfile", "source", "index", "kconfig")),
            Map.entry("machine", Set.of("common")),
            Map.entry("initrd", Set.of("common")),
            Map.entry("pkg", Set.of("common", "config", "kraftfile", "kconfig", "build", "initrd")),
            Map.entry("registry", Set.of("common", "config", "pkg")),
            Map.entry("run", Set.of("common", "config", "kraftfile", "build", "machine", "initrd", "pkg")),
            Map.entry("profile", Set.of("common", "machine")),
            Map.entry("cli", Set.of("common", "config", "kraftfile", "source", "index", "kconfig", "build", "machine", "initrd", "run", "pkg",
                    "registry", "profile")),
            Map.entry("startup", Set.of("common", "config", "kraftfile", "source", "index", "kconfig", "build", "machine", "initrd", "run",
                    "pkg", "registry", "profile", "cli")));

    @Test
    void packagesDependOnlyOnWhatTheArchitectureAllows() throws IOException {
        List<String> violations = new ArrayList<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String pkg = MAIN.relativize(file).getName(0).toString();
                assertThat(ALLOWED).as("package %s is not in the architecture table", pkg).containsKey(pkg);
                Matcher m = USE.matcher(Files.readString(file));
                while (m.find()) {
                    String used = m.group(1);
                    if (!used.equals(pkg) && !ALLOWED.get(pkg).contains(used)) {
                        violations.add(file + " uses " + used);
                    }
                }
            }
        }
        assertThat(violations).isEmpty();
    }

    @Test
    void noSourceFileIsMuchOver400Lines() throws IOException {
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                assertThat(Files.readAllLines(file)).as(file.toString()).hasSizeLessThan(450);
            }
        }
    }
}
