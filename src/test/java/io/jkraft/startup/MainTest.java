package io.jkraft.startup;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jkraft.cli.PkgCommand;
import io.jkraft.cli.Terminal;
import io.jkraft.testing.FixtureApp;
import io.jkraft.testing.FixtureRepos;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI end to end, in process: exit codes, what goes to stdout and stderr, no stack traces. */
class MainTest {
    @TempDir
    Path tmp;

    record Run(int status, String out, String err) {}

    /** Runs a command with {@code env} and this JVM's PATH, which every shell's environment has. */
    Run run(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Map<String, String> withPath = new java.util.HashMap<>(env);
        withPath.putIfAbsent("PATH", System.getenv().getOrDefault("PATH", ""));
        int status = Main.execute(args, new Terminal(new PrintWriter(out, true), new PrintWriter(err, true), false),
                withPath);
        return new Run(status, out.toString(), err.toString());
    }

    Map<String, String> env(FixtureRepos repos) {
        return Map.of("HOME", tmp.resolve("home").toString(), "JKRAFT_ORIGIN_BASE", repos.base().toUri().toString());
    }

    @Test
    void versionPrintsTheVersion() {
        Run r = run(Map.of(), "--version");
        assertThat(r.status()).isZero();
        assertThat(r.out()).startsWith("jkraft ");
    }

    @Test
    void everyCommandHasHelpWithExamples() {
        java.util.List<String[]> all = new java.util.ArrayList<>();
        CommandTable.visibleNames().forEach(c -> all.add(new String[] {c}));
        PkgCommand.subcommandNames().forEach(s -> all.add(new String[] {"pkg", s}));
        assertThat(all).as("every command of the table, pkg's included").hasSizeGreaterThan(25);
        String rootHelp = run(Map.of(), "--help").out();
        for (String[] command : all) {
            String name = String.join(" ", command);
            Run r = run(Map.of(), java.util.stream.Stream.concat(java.util.Arrays.stream(command),
                    java.util.stream.Stream.of("--help")).toArray(String[]::new));
            assertThat(r.status()).as(name).isZero();
            assertThat(r.out()).as(name).startsWith("Usage: jkraft ").contains("Examples:", "--log-level");
            assertThat(rootHelp).as("the root help lists " + command[0]).contains(command[0]);
        }
    }

    @Test
    void badOptionIsAUsageErrorWithExitTwo() {
        Run r = run(Map.of(), "build", "--no-such-flag");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("Unknown option: '--no-such-flag'");
    }

    @Test
    void brokenKraftfileOneLocatedMessageNoStackTrace() throws Exception {
        Path app = Files.createDirectories(tmp.resolve("app"));
        Files.writeString(app.resolve("Kraftfile"), "spec: v0.6\nname: x\nunikraft: stable\ntargets: [qemu/sparc]\n");
        Run r = run(Map.of("HOME", tmp.toString()), "build", app.toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).contains("Kraftfile:4:", "sparc", "hint:").doesNotContain("Exception", "\tat ");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void missingSpecAndBadYamlAndMissingProject() throws Exception {
        Path app = Files.createDirectories(tmp.resolve("app"));
        Files.writeString(app.resolve("Kraftfile"), "name: x\n");
        assertThat(run(Map.of(), "build", app.toString()).err()).contains("Kraftfile:1:1:", "spec");
        Files.writeString(app.resolve("Kraftfile"), "spec: v0.6\ntargets: [qemu/x86_64\n");
        Run yaml = run(Map.of(), "build", app.toString());
        assertThat(yaml.status()).isEqualTo(1);
        assertThat(yaml.err()).contains("Kraftfile:").doesNotContain("\tat ");
        Run missing = run(Map.of(), "build", tmp.resolve("nowhere").toString());
        assertThat(missing.status()).isEqualTo(1);
        assertThat(missing.err()).contains("does not exist");
    }

    @Test
    void debugLogLevelAddsTheStackTrace() throws Exception {
        Path app = Files.createDirectories(tmp.resolve("app"));
        Files.writeString(app.resolve("Kraftfile"), "name: x\n");
        assertThat(run(Map.of(), "build", "--log-level", "debug", app.toString()).err()).contains("\tat ");
    }

    @Test
    void buildJsonOutputListsTheKernelsAndTheSecondRunIsUpToDate() throws Exception {
        FixtureRepos repos = FixtureRepos.create(tmp.resolve("mirror"));
        Path app = FixtureApp.create(tmp.resolve("app"), "spec: v0.6\nname: hello\nunikraft: stable\ntargets: [qemu/x86_64]\n");

        Run first = run(env(repos), "build", "-o", "json", app.toString());
        assertThat(first.status()).as(first.err()).isZero();
        JsonNode result = new ObjectMapper().readTree(first.out()).get(0);
        assertThat(result.get("platform").asText()).isEqualTo("qemu");
        assertThat(Path.of(result.get("kernel").asText())).isRegularFile();
        assertThat(result.get("upToDate").asBoolean()).isFalse();
        assertThat(first.err()).contains("objects");

        Run second = run(env(repos), "build", app.toString());
        assertThat(second.status()).isZero();
        assertThat(second.err()).contains("qemu/x86_64: up to date");
        assertThat(second.out().strip()).endsWith("hello_qemu-x86_64");
    }

    @Test
    void buildCompileFailureExitOneWithTheCompilerError() throws Exception {
        FixtureRepos repos = FixtureRepos.create(tmp.resolve("mirror"));
        Path app = FixtureApp.create(tmp.resolve("app"), "spec: v0.6\nname: hello\nunikraft: stable\ntargets: [qemu/x86_64]\n");
        FixtureApp.breakSource(app);
        Run r = run(env(repos), "build", app.toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).contains("hello.c:" + FixtureApp.BROKEN_LINE, "hint: full log:").doesNotContain("\tat ");
    }

    @Test
    void cleanProperViaTheCli() throws Exception {
        FixtureRepos repos = FixtureRepos.create(tmp.resolve("mirror"));
        Path app = FixtureApp.create(tmp.resolve("app"), "spec: v0.6\nname: hello\nunikraft: stable\ntargets: [qemu/x86_64]\n");
        assertThat(run(env(repos), "build", app.toString()).status()).isZero();
        assertThat(run(env(repos), "clean", "--proper", app.toString()).status()).isZero();
        assertThat(app.resolve(".unikraft/build/hello_qemu-x86_64")).doesNotExist();
    }

    @Test
    void aotTrainingRunBuildsAStandInProjectTwice() {
        assertThat(run(Map.of(), "__train").status()).isZero();
    }

    /**
     * What the AOT cache holds is what the training loaded, and what the resident helper has warm when it serves
     * its first command: a training that trained nothing (returned at once, or failed quietly) would leave every
     * start to load these classes one by one. Checked in a JVM of its own, as the launcher runs it, through the
     * classes it loaded.
     */
    @Test
    void aotTrainingLoadsTheClassesOfTheCommandsItTrainsFor() throws Exception {
        assertThat(trainingLoads()).contains("io.jkraft.kraftfile.KraftfileParser", "io.jkraft.build.BuildService",
                "io.jkraft.registry.RegistryClient", "io.jkraft.machine.store.MachineStore", "picocli.CommandLine",
                "io.jkraft.cli.RunCommand", "io.jkraft.run.RunService", "io.jkraft.machine.qemu.QmpClient",
                "io.jkraft.machine.qemu.QemuCommand");
    }

    private java.util.Set<String> trainingLoads() throws Exception {
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED",
                "-Xlog:class+load=info:file=" + tmp.resolve("loaded.txt"), "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "__train"));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("train.out").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        for (String folder : java.util.List.of("HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME",
                "XDG_CONFIG_HOME", "XDG_RUNTIME_DIR")) {
            pb.environment().put(folder, tmp.resolve("train-" + folder).toString());
        }
        Process p = pb.start();
        assertThat(p.waitFor(300, java.util.concurrent.TimeUnit.SECONDS)).as("the training ends").isTrue();
        assertThat(p.exitValue()).as(Files.readString(tmp.resolve("train.out"))).isZero();
        java.util.Set<String> loaded = new java.util.HashSet<>();
        for (String line : Files.readAllLines(tmp.resolve("loaded.txt"))) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\] (\\S+) source:").matcher(line);
            if (m.find()) {
                loaded.add(m.group(1));
            }
        }
        return loaded;
    }

    @Test
    void menuWithoutATerminalSaysItNeedsOne() throws Exception {
        Path app = Files.createDirectories(tmp.resolve("app"));
        Run r = run(Map.of(), "menu", app.toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).contains("menu needs a terminal");
    }
}
