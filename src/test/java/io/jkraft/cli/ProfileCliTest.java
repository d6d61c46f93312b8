package io.jkraft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jkraft.profile.gdb.SpinKernel;
import io.jkraft.testing.ChainKernel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Collectors;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code jkraft profile} against real QEMU under TCG: the chain fixture spins in main -> a -> b -> c (c a
 * frameless leaf compiled -O2), so the hottest folded stack must end in a;b;c on both architectures.
 */
@Tag("qemu")
class ProfileCliTest {
    @TempDir
    Path tmp;
    private MachineCli cli;

    @BeforeEach
    void isolatedState() {
        cli = new MachineCli(tmp.resolve("st"));
    }

    @AfterEach
    void noMachineOutlivesTheTest() throws Exception {
        cli.cleanUp();
    }

    @ParameterizedTest
    @ValueSource(strings = {"x86_64", "arm64"})
    void theHottestStackOfTheChainEndsInABCAndTheFlameGraphsParse(String arch) throws Exception {
        Path kernel = kernel(ChainKernel.build(tmp.resolve("k"), arch));
        cli.ok("run", "-W", "-M", "8Mi", "-d", "--gdb", "-n", "hot", kernel.toString());
        MachineCli.await("the chain to spin", () -> cli.ok("logs", "hot").console().contains(ChainKernel.SPINNING));

        Path out = tmp.resolve("out");
        MachineCli.Result r = cli.ok("profile", "hot", "-F", "200", "-T", "2", "-o", out.toString());

        assertThat(r.out()).contains("profiled hot: ", " Hz achieved of 200 requested", "missed deadlines", "wrote ");
        assertThat(r.out()).containsPattern("(?m)^ +\\d+\\.\\d% +\\d+\\.\\d%  c$");
        String hottest = hottest(out.resolve("hot.folded"));
        assertThat(hottest).as(Files.readString(out.resolve("hot.folded"))).endsWith("main;a;b;c");
        DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(out.resolve("hot.svg").toFile());
        assertThat(out.resolve("hot.html")).content().contains("<html", "main", "</html>");
        var report = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.resolve("hot.json").toFile());
        assertThat(report.get("samples").asLong()).isPositive();
        assertThat(report.get("topSelf").get(0).get("name").asText()).isEqualTo("c");
        // The guest spins, so its vCPU thread (QEMU names it) ran before sampling (how much depends on the host's
        // load), and the slowdown is what it lost while sampled.
        assertThat(report.get("vcpuRunShareBefore").asDouble()).as(report.toString()).isPositive();
        assertThat(report.get("slowdown").isNumber()).as(report.toString()).isTrue();
        assertThat(report.get("slowdown").asDouble()).isBetween(-1.0, 1.0);
        assertThat(r.out()).containsPattern("guest slowdown -?\\d+\\.\\d% \\(its vCPU ran \\d+\\.\\d% of the time while sampled");
        assertThat(cli.machine("hot").get("status").asText()).as("the guest runs on after profiling").isEqualTo("running");
    }

    @Test
    void aMachineStartedWithoutGdbGetsAGdbstubThroughItsMonitor() throws Exception {
        Path kernel = kernel(ChainKernel.build(tmp.resolve("k"), "x86_64"));
        cli.ok("run", "-W", "-M", "8Mi", "-d", "-n", "late", kernel.toString());
        MachineCli.await("the chain to spin", () -> cli.ok("logs", "late").console().contains(ChainKernel.SPINNING));

        cli.ok("profile", "late", "-F", "100", "-T", "1", "-o", tmp.resolve("o").toString());

        assertThat(cli.ok("inspect", "late").out()).containsPattern("\"gdb\" *: *\"127\\.0\\.0\\.1:\\d+\"");
        assertThat(hottest(tmp.resolve("o/late.folded"))).endsWith("a;b;c");
    }

    @Test
    void aGdbstubOnAUnixSocketIsSampledThroughIt() throws Exception {
        Path kernel = kernel(ChainKernel.build(tmp.resolve("k"), "x86_64"));
        Path socket = tmp.resolve("p.sock");
        cli.ok("run", "-W", "-M", "8Mi", "-d", "--gdb=unix:" + socket, "-n", "sock", kernel.toString());
        MachineCli.await("the chain to spin", () -> cli.ok("logs", "sock").console().contains(ChainKernel.SPINNING));

        MachineCli.Result r = cli.ok("profile", "sock", "-F", "200", "-T", "1", "-o", tmp.resolve("o").toString());

        assertThat(r.out()).contains(" Hz achieved of 200 requested");
        assertThat(hottest(tmp.resolve("o/sock.folded"))).endsWith("a;b;c");
        assertThat(cli.machine("sock").get("gdb").asText()).isEqualTo("unix:" + socket);
    }

    @Test
    void profileWithRunArgumentsStartsTheMachineProfilesItAndRemovesIt() throws Exception {
        Path kernel = kernel(ChainKernel.build(tmp.resolve("k"), "x86_64"));
        Path out = tmp.resolve("o");

        MachineCli.Result r = cli.ok("profile", "-F", "100", "-T", "2", "-o", out.toString(), "--",
                "-W", "-M", "8Mi", kernel.toString());

        assertThat(r.out()).contains("profiled ");
        assertThat(cli.machines()).as("the machine it started is gone").isEmpty();
        try (var files = Files.list(out)) {
            assertThat(files.map(p -> p.getFileName().toString().replaceAll("^.*\\.", "")).collect(Collectors.toSet()))
                    .containsExactlyInAnyOrder("folded", "svg", "html", "json");
        }
    }

    @Test
    void anInterruptEndsTheSamplingEarlyAndTheReportIsStillWritten() throws Exception {
        // How Ctrl-C reaches a profile the resident helper runs: an interrupt of the command's thread.
        Path kernel = kernel(ChainKernel.build(tmp.resolve("k"), "x86_64"));
        cli.ok("run", "-W", "-M", "8Mi", "-d", "--gdb", "-n", "cut", kernel.toString());
        MachineCli.await("the chain to spin", () -> cli.ok("logs", "cut").console().contains(ChainKernel.SPINNING));
        Path out = tmp.resolve("o");
        var result = new java.util.concurrent.atomic.AtomicReference<MachineCli.Result>();
        Thread profile = Thread.ofPlatform().start(() ->
                result.set(cli.run("profile", "cut", "-F", "100", "-T", "600", "-o", out.toString())));
        Thread.sleep(2000);
        profile.interrupt();
        profile.join(MachineCli.PATIENCE.toMillis());

        assertThat(profile.isAlive()).as("sampling ended long before -T 600").isFalse();
        assertThat(result.get().status()).as(result.get().err()).isZero();
        assertThat(hottest(out.resolve("cut.folded"))).endsWith("a;b;c");
        assertThat(cli.machine("cut").get("status").asText()).isEqualTo("running");
    }

    @ParameterizedTest
    @ValueSource(strings = {"--gdb", "--gdb=unix:"})
    void aGuestThatEndsWhileBeingSampledEndsTheProfileWithWhatWasTaken(String gdb) throws Exception {
        SpinKernel spin = SpinKernel.build("arm64", tmp.resolve("k"));
        String option = gdb.endsWith(":") ? gdb + tmp.resolve("b.sock") : gdb;
        cli.ok("run", "-W", "-M", "8Mi", "-d", option, "-n", "brief", spin.image().toString(), "--", SpinKernel.EXIT);

        MachineCli.Result r = cli.ok("profile", "brief", "-F", "200", "-T", "60", "-o", tmp.resolve("o").toString());

        assertThat(r.out()).contains("(the guest ended)");
        assertThat(Files.readString(tmp.resolve("o/brief.folded"))).contains("jk_spin");
    }

    @Test
    void badInputIsOneClearError() throws Exception {
        Path kernel = kernel(ChainKernel.build(tmp.resolve("k"), "x86_64"));
        assertThat(cli.run("profile", "nosuch").errors()).singleElement().asString().contains("nosuch");
        assertThat(cli.run("profile", "x", "-F", "0").errors()).singleElement().asString().contains("-F 0");
        assertThat(cli.run("profile").errors()).singleElement().asString().contains("one machine name");

        cli.ok("run", "-W", "-M", "8Mi", "-d", "--no-start", "-n", "held", kernel.toString());
        assertThat(cli.run("profile", "held").errors()).singleElement().asString().contains("paused");

        Path bare = Files.copy(kernel, tmp.resolve("bare"));
        cli.ok("run", "-W", "-M", "8Mi", "-d", "-n", "nodbg", bare.toString());
        MachineCli.Result noSymbols = cli.run("profile", "nodbg", "-T", "1");
        assertThat(noSymbols.status()).isEqualTo(1);
        assertThat(noSymbols.errors()).singleElement().asString().contains("no symbols for nodbg", "bare.dbg");
        assertThat(noSymbols.err()).doesNotContain("\tat ");
    }

    private static Path kernel(Path dbg) {
        String name = dbg.getFileName().toString();
        return dbg.resolveSibling(name.substring(0, name.length() - ".dbg".length()));
    }

    /** The stack with the most samples in a folded file, without its count. */
    private static String hottest(Path folded) throws Exception {
        Map<String, Long> counts = Files.readAllLines(folded).stream().filter(l -> !l.isBlank())
                .collect(Collectors.toMap(l -> l.substring(0, l.lastIndexOf(' ')),
                        l -> Long.parseLong(l.substring(l.lastIndexOf(' ') + 1))));
        return counts.entrySet().stream().max(Comparator.comparingLong(Map.Entry::getValue)).orElseThrow().getKey();
    }
}
