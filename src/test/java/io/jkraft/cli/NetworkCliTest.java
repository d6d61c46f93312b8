package io.jkraft.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jkraft.testing.NetworkNamespace;
import io.jkraft.testing.NetworkNamespace.Exec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Networks through the CLI with real bridges, taps and QEMU, each test in a network namespace of its own (made
 * with {@code ip netns add}, removed after it, with every device in it, even when the test fails); jkraft runs
 * there as a child JVM ({@code ip netns exec NS java ...}). The fixture kernels have no network stack, so what is
 * checked is the attachment: the tap on the bridge and up, QEMU's NIC on it, {@code netdev.ip} on the kernel's
 * command line, the forwarders of published ports bound on loopback, and that none of it outlives its machine.
 */
@Tag("qemu")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NetworkCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Path kernel;
    private MachineCli cli;
    private NetworkNamespace namespace;
    private String ns;

    @BeforeAll
    void buildKernel(@TempDir Path shared) throws Exception {
        Optional<String> unusable = NetworkNamespace.unusableReason();
        assumeTrue(unusable.isEmpty(), unusable.orElse(""));
        assumeTrue(exec("sh", "-c", "command -v socat").status() == 0, "socat is not installed (scripts/install-deps)");
        kernel = LifeKernel.build(shared);
    }

    @BeforeEach
    void namespace(@TempDir Path perTest) throws Exception {
        namespace = NetworkNamespace.create();
        ns = namespace.name();
        cli = new MachineCli(perTest).withCommandPrefix(namespace.prefix());
    }

    @AfterEach
    void removeNamespace() throws Exception {
        try {
            cli.cleanUp();
        } finally {
            namespace.close();
        }
    }

    @Test
    void aNetworkIsABridgeWithItsRangeAndComesBackWithUp() throws Exception {
        cli.ok("net", "create", "jk0");
        cli.ok("net", "create", "jk1", "--network", "10.77.0.1/24");
        JsonNode list = JSON.readTree(cli.ok("net", "ls", "-o", "json").out());
        assertThat(list).hasSize(2);
        // The namespace has no route but lo's: the first free /24.
        assertThat(list.get(0).get("network").asText()).isEqualTo("172.30.0.0/24");
        assertThat(list.get(0).get("gateway").asText()).isEqualTo("172.30.0.1");
        assertThat(list.get(1).get("network").asText()).isEqualTo("10.77.0.0/24");
        assertThat(addresses("jk0")).containsExactly("172.30.0.1/24");
        assertThat(addresses("jk1")).containsExactly("10.77.0.1/24");
        assertThat(link("jk0").orElseThrow().toString()).contains("\"UP\"");

        // kraft's columns: the gateway with its prefix.
        assertThat(cli.ok("net", "ls").out().lines()).containsExactly("NAME  NETWORK        DRIVER  STATUS",
                "jk0   172.30.0.1/24  bridge  up", "jk1   10.77.0.1/24   bridge  up");
        MachineCli.Result again = cli.run("net", "create", "jk0");
        assertThat(again.status()).isNotZero();
        assertThat(again.errors()).singleElement().asString().contains("already exists");
        MachineCli.Result overlap = cli.run("net", "create", "jk2", "--network", "10.77.0.129/25");
        assertThat(overlap.errors()).singleElement().asString().contains("overlaps network jk1");

        cli.ok("net", "down", "jk1");
        assertThat(inspect("jk1").get("state").asText()).isEqualTo("down");
        assertThat(link("jk1").orElseThrow().get("flags").toString()).doesNotContain("\"UP\"");
        must("ip", "-n", ns, "link", "del", "jk1");
        assertThat(inspect("jk1").get("state").asText()).isEqualTo("missing");
        cli.ok("net", "up", "jk1");
        assertThat(inspect("jk1").get("state").asText()).isEqualTo("up");
        assertThat(addresses("jk1")).containsExactly("10.77.0.1/24");

        cli.ok("net", "rm", "jk0", "jk1");
        assertThat(link("jk0")).isEmpty();
        assertThat(link("jk1")).isEmpty();
        assertThat(JSON.readTree(cli.ok("net", "ls", "-o", "json").out())).isEmpty();
    }

    @Test
    void aMachineOnANetworkHasItsTapOnTheBridgeAndItsAddressOnTheKernelCommandLine() throws Exception {
        cli.ok("net", "create", "jk0", "--network", "172.31.7.1/24");
        run("-n", "web", "--network", "jk0", kernel.toString(), "--", LifeKernel.IDLE);
        run("-n", "db", "--network", "jk0:172.31.7.50", kernel.toString(), "--", LifeKernel.IDLE);

        JsonNode web = cli.machine("web");
        JsonNode nic = web.get("networks").get(0);
        assertThat(nic.get("ip").asText()).isEqualTo("172.31.7.2");
        assertThat(nic.get("prefix").asInt()).isEqualTo(24);
        assertThat(nic.get("gateway").asText()).isEqualTo("172.31.7.1");
        assertThat(cli.machine("db").get("networks").get(0).get("ip").asText()).isEqualTo("172.31.7.50");
        String tap = nic.get("tap").asText();
        JsonNode link = link(tap).orElseThrow(() -> new AssertionError("no tap " + tap));
        assertThat(link.get("master").asText()).isEqualTo("jk0");
        assertThat(link.get("flags").toString()).contains("\"UP\"");

        List<String> argv = cli.qemuOf(web).getFirst().argv();
        assertThat(argv).containsSubsequence("-netdev", "tap,id=net0,ifname=" + tap + ",script=no,downscript=no",
                "-device", "virtio-net-pci,netdev=net0,mac=" + nic.get("mac").asText() + ",romfile=");
        assertThat(argv.get(argv.indexOf("-append") + 1)).isEqualTo("netdev.ip=172.31.7.2/24:172.31.7.1:::: -- idle");
        assertThat(cli.ok("ps").out()).contains("jk0:172.31.7.2");
        assertThat(inspect("jk0").get("machines").toString()).contains("\"web\"", "\"db\"");

        MachineCli.Result inUse = cli.run("net", "rm", "jk0");
        assertThat(inUse.status()).isNotZero();
        assertThat(inUse.errors()).singleElement().asString().contains("used by machine(s) web, db");

        cli.ok("rm", "-f", "web");
        assertThat(link(tap)).isEmpty();
        assertThat(inspect("jk0").get("machines").toString()).doesNotContain("\"web\"").contains("\"db\"");
        MachineCli.Result taken = cli.run("run", "-d", "-W", "-M", "8Mi", "--network", "jk0:172.31.7.50", kernel.toString());
        assertThat(taken.errors()).singleElement().asString().contains("taken by machine db");
    }

    @Test
    void twentyConcurrentRunsGetTwentyAddressesAndRmAllLeavesNoTap() throws Exception {
        cli.ok("net", "create", "jk0", "--network", "172.31.8.1/24");
        List<Child> runs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            runs.add(cli.startWithPrefix("run", "-d", "-W", "-M", "8Mi", "-n", "m" + i, "--network", "jk0",
                    kernel.toString(), "--", LifeKernel.IDLE));
        }
        for (Child run : runs) {
            assertThat(run.awaitExit()).as("%s", run.err()).isZero();
        }
        Set<String> ips = new HashSet<>();
        Set<String> taps = new HashSet<>();
        for (JsonNode m : cli.machines()) {
            assertThat(m.get("status").asText()).isEqualTo("running");
            ips.add(m.get("networks").get(0).get("ip").asText());
            taps.add(m.get("networks").get(0).get("tap").asText());
        }
        assertThat(ips).hasSize(20);
        assertThat(tapsOn("jk0")).containsExactlyInAnyOrderElementsOf(taps);

        cli.ok("rm", "--all");
        assertThat(tapsOn("jk0")).isEmpty();
        assertThat(links().stream().filter(l -> l.path("ifalias").asText().startsWith("jkraft:")).toList()).isEmpty();
        cli.ok("net", "rm", "jk0");
        assertThat(link("jk0")).isEmpty();
    }

    @Test
    void publishedPortsOfANetworkedMachineAreForwardedOnLoopbackAndEndWithIt() throws Exception {
        cli.ok("net", "create", "jk0", "--network", "172.31.9.1/24");
        run("-n", "web", "--network", "jk0", "-p", "18082:80", kernel.toString(), "--", LifeKernel.IDLE);
        JsonNode web = cli.machine("web");
        String ip = web.get("networks").get(0).get("ip").asText();
        // No user networking: the port goes through socat, to the guest's address on the bridge.
        assertThat(String.join(" ", cli.qemuOf(web).getFirst().argv())).doesNotContain("hostfwd");
        MachineCli.Vmm socat = forwarder(web).orElseThrow(() -> new AssertionError("no forwarder"));
        assertThat(socat.argv()).contains("TCP-LISTEN:18082,bind=127.0.0.1,fork,reuseaddr", "TCP:" + ip + ":80");
        assertThat(listening()).contains("127.0.0.1:18082");

        cli.ok("stop", "web");
        MachineCli.await("the forwarder to end with the machine", () -> forwarder(web).isEmpty());
        assertThat(listening()).doesNotContain("127.0.0.1:18082");
        assertThat(link(web.get("networks").get(0).get("tap").asText())).isEmpty();

        cli.ok("start", "web");
        assertThat(forwarder(web)).isPresent();
        assertThat(link(web.get("networks").get(0).get("tap").asText())).isPresent();
        cli.ok("rm", "-f", "web");
        assertThat(forwarder(web)).isEmpty();
    }

    @Test
    void aKilledQemuOrJkraftLeavesNoTapOrForwarderOnceReconciled() throws Exception {
        cli.ok("net", "create", "jk0", "--network", "172.31.10.1/24");
        // QEMU killed: its waiter ends the forwarder and removes the tap.
        run("-n", "a", "--network", "jk0", "-p", "18083:80", kernel.toString(), "--", LifeKernel.IDLE);
        JsonNode a = cli.machine("a");
        String tapA = a.get("networks").get(0).get("tap").asText();
        kill(cli.qemuOf(a).getFirst().pid());
        MachineCli.await("the tap of a killed QEMU to go", () -> link(tapA).isEmpty() && forwarder(a).isEmpty());
        assertThat(cli.machine("a").get("status").asText()).isNotEqualTo("running");

        // jkraft killed in a foreground run: the machine runs on; then QEMU and its waiter killed together leave
        // the tap and the forwarder to reconciliation.
        Child fg = cli.startWithPrefix("run", "-W", "-M", "8Mi", "-n", "fg", "--network", "jk0", "-p", "18084:80",
                kernel.toString(), "--", LifeKernel.IDLE);
        fg.awaitOutput(LifeKernel.IDLING);
        fg.signal("KILL");
        fg.awaitExit();
        JsonNode machine = cli.machine("fg");
        assertThat(machine.get("status").asText()).isEqualTo("running");
        String tap = machine.get("networks").get(0).get("tap").asText();
        assertThat(link(tap)).isPresent();
        assertThat(forwarder(machine)).isPresent();
        // The waiter first, so that it cannot clean up after QEMU.
        for (MachineCli.Vmm v : cli.processes()) {
            if (!v.isQemu() && !v.argv().getFirst().endsWith("socat")
                    && v.argv().stream().anyMatch(w -> w.contains(machine.get("stateDir").asText()))) {
                kill(v.pid());
                MachineCli.await("the waiter to end", () -> !MachineCli.alive(v.pid()));
            }
        }
        cli.qemuOf(machine).forEach(q -> kill(q.pid()));
        MachineCli.await("QEMU to end", () -> cli.qemuOf(machine).isEmpty());
        JsonNode errored = cli.machine("fg");
        assertThat(errored.get("status").asText()).isEqualTo("errored");
        assertThat(errored.get("networks").get(0).get("ip").isNull()).as("the address, after ps").isTrue();
        assertThat(inspect("jk0").get("machines").toString()).doesNotContain("\"fg\"");
        assertThat(link(tap)).as("the tap, after ps").isEmpty();
        assertThat(forwarder(machine)).as("the forwarder, after ps").isEmpty();
        assertThat(listening()).doesNotContain("127.0.0.1:18084");
    }

    @Test
    void aKilledQemuFreesItsAddressForAnotherMachineAndStopStartKeepsAnAddressThatIsFree() throws Exception {
        cli.ok("net", "create", "jk0", "--network", "172.31.14.1/24");
        run("-n", "a", "--network", "jk0", kernel.toString(), "--", LifeKernel.IDLE);
        run("-n", "b", "--network", "jk0:172.31.14.9", kernel.toString(), "--", LifeKernel.IDLE);
        JsonNode a = cli.machine("a");
        assertThat(a.get("networks").get(0).get("ip").asText()).isEqualTo("172.31.14.2");

        kill(cli.qemuOf(a).getFirst().pid());
        MachineCli.await("ps to see the killed QEMU's machine end",
                () -> !cli.machine("a").get("status").asText().equals("running"));
        // Released: no address in ps or inspect (as Docker shows none for an exited container), none in the network.
        JsonNode ended = cli.machine("a").get("networks").get(0);
        assertThat(ended.get("network").asText()).isEqualTo("jk0");
        assertThat(ended.get("ip").isNull()).as("%s", ended).isTrue();
        assertThat(ended.get("gateway").isNull()).isTrue();
        String row = cli.ok("ps", "-a").out().lines().filter(l -> l.startsWith("a ")).findFirst().orElseThrow();
        assertThat(row).contains(" jk0 ").doesNotContain("172.31.14.2");
        assertThat(inspect("jk0").get("machines").toString()).doesNotContain("\"a\"").contains("\"b\"");

        // Exactly that address, asked for by a new machine, and on its kernel command line.
        run("-n", "c", "--network", "jk0:172.31.14.2", kernel.toString(), "--", LifeKernel.IDLE);
        assertThat(appendOf("c")).startsWith("netdev.ip=172.31.14.2/24:172.31.14.1::::");
        // The killed machine's address was allocated: it starts again on the next free one, and says so.
        cli.ok("start", "a");
        assertThat(cli.machine("a").get("networks").get(0).get("ip").asText()).isEqualTo("172.31.14.3");
        assertThat(appendOf("a")).startsWith("netdev.ip=172.31.14.3/24:172.31.14.1::::");
        assertThat(cli.ok("ps").out()).contains("jk0:172.31.14.3");

        // stop/start with the address free: the same one again.
        cli.ok("stop", "b");
        assertThat(cli.machine("b").get("networks").get(0).get("ip").isNull()).isTrue();
        cli.ok("start", "b");
        assertThat(cli.machine("b").get("networks").get(0).get("ip").asText()).isEqualTo("172.31.14.9");
        assertThat(appendOf("b")).startsWith("netdev.ip=172.31.14.9/24:172.31.14.1::::");

        // An address asked for with NAME:IP that another machine took meanwhile: the start is refused, naming it.
        cli.ok("stop", "b");
        run("-n", "d", "--network", "jk0:172.31.14.9", kernel.toString(), "--", LifeKernel.IDLE);
        MachineCli.Result refused = cli.run("start", "b");
        assertThat(refused.status()).isNotZero();
        assertThat(refused.errors()).singleElement().asString().contains("cannot start machine b: its address "
                + "172.31.14.9 on network jk0 (asked for with --network jk0:172.31.14.9) is now held by machine d");
        assertThat(refused.err()).contains("jkraft stop d");
        assertThat(cli.machine("b").get("status").asText()).isEqualTo("exited");
        assertThat(cli.qemuOf(cli.machine("b"))).isEmpty();
    }

    /** The kernel command line of the machine's QEMU. */
    private String appendOf(String machine) throws IOException {
        List<String> argv = cli.qemuOf(cli.machine(machine)).getFirst().argv();
        return argv.get(argv.indexOf("-append") + 1);
    }

    @Test
    void withoutNetAdminNetworksAreRefusedWithOneMessageAndNothingIsRecorded() throws Exception {
        cli.ok("net", "create", "jk0", "--network", "172.31.11.1/24");
        List<String> unprivileged = List.of("ip", "netns", "exec", ns, "setpriv", "--inh-caps=-net_admin",
                "--bounding-set=-net_admin");

        MachineCli.Result create = cli.runWith(unprivileged, "net", "create", "jk1");
        assertThat(create.status()).isNotZero();
        assertThat(create.errors()).singleElement().asString().contains("CAP_NET_ADMIN");
        assertThat(create.err()).contains("hint: run jkraft as root");
        MachineCli.Result run = cli.runWith(unprivileged, "run", "-d", "-W", "-M", "8Mi", "--network", "jk0",
                kernel.toString(), "--", LifeKernel.IDLE);
        assertThat(run.status()).isNotZero();
        assertThat(run.errors()).singleElement().asString().contains("CAP_NET_ADMIN");
        MachineCli.Result rm = cli.runWith(unprivileged, "net", "rm", "jk0");
        assertThat(rm.errors()).singleElement().asString().contains("CAP_NET_ADMIN");

        assertThat(cli.machines()).isEmpty();
        assertThat(JSON.readTree(cli.ok("net", "ls", "-o", "json").out())).extracting(n -> n.get("name").asText())
                .containsExactly("jk0");
        assertThat(link("jk1")).isEmpty();
        // Without --network, nothing needs the privilege: -p goes through QEMU's user networking as before.
        MachineCli.Result plain = cli.runWith(unprivileged, "run", "-d", "-W", "-M", "8Mi", "-n", "plain", "-p", "18085:80",
                kernel.toString(), "--", LifeKernel.IDLE);
        assertThat(plain.status()).as(plain.err()).isZero();
        assertThat(String.join(" ", cli.qemuOf(cli.machine("plain")).getFirst().argv())).contains("hostfwd=tcp:127.0.0.1:18085-:80");
    }

    @Test
    void anotherStoresTapsInTheSameNamespaceAreLeftAlone(@TempDir Path otherRoot) throws Exception {
        MachineCli other = new MachineCli(otherRoot).withCommandPrefix(List.of("ip", "netns", "exec", ns));
        try {
            other.ok("net", "create", "jk9", "--network", "172.31.12.1/24");
            other.ok("run", "-d", "-W", "-M", "8Mi", "-n", "theirs", "--network", "jk9", kernel.toString(), "--",
                    LifeKernel.IDLE);
            String tap = other.machine("theirs").get("networks").get(0).get("tap").asText();
            // This store has a network too, so its ps and rm --all sweep: their own taps only.
            cli.ok("net", "create", "jk0", "--network", "172.31.13.1/24");
            cli.ok("ps", "-a");
            cli.ok("rm", "--all");
            assertThat(link(tap)).isPresent();
            assertThat(other.machine("theirs").get("status").asText()).isEqualTo("running");
        } finally {
            other.cleanUp();
        }
    }

    private void run(String... args) {
        List<String> all = new ArrayList<>(List.of("run", "-d", "-W", "-M", "8Mi"));
        all.addAll(List.of(args));
        cli.ok(all.toArray(String[]::new));
    }

    private JsonNode inspect(String network) throws IOException {
        return JSON.readTree(cli.ok("net", "inspect", network).out());
    }

    /** The machine's port forwarder (socat, with the machine's folder in its argv), if one runs. */
    private Optional<MachineCli.Vmm> forwarder(JsonNode machine) throws IOException {
        String dir = machine.get("stateDir").asText();
        return cli.processes().stream().filter(v -> !v.argv().isEmpty() && v.argv().getFirst().endsWith("socat"))
                .filter(v -> v.argv().stream().anyMatch(a -> a.contains(dir))).findFirst();
    }

    /** The TCP addresses listened on in the namespace, as {@code ss} writes them. */
    private String listening() throws Exception {
        return must("ip", "netns", "exec", ns, "ss", "-Hltn");
    }

    private List<JsonNode> links() throws Exception {
        List<JsonNode> out = new ArrayList<>();
        JSON.readTree(must("ip", "-n", ns, "-j", "link", "show")).forEach(out::add);
        return out;
    }

    private Optional<JsonNode> link(String name) throws Exception {
        return links().stream().filter(l -> l.get("ifname").asText().equals(name)).findFirst();
    }

    private List<String> tapsOn(String bridge) throws Exception {
        return links().stream().filter(l -> bridge.equals(l.path("master").asText())).map(l -> l.get("ifname").asText())
                .toList();
    }

    private List<String> addresses(String device) throws Exception {
        List<String> out = new ArrayList<>();
        for (JsonNode l : JSON.readTree(must("ip", "-n", ns, "-j", "-4", "addr", "show", "dev", device))) {
            l.get("addr_info").forEach(a -> out.add(a.get("local").asText() + "/" + a.get("prefixlen").asInt()));
        }
        return out;
    }

    private static void kill(long pid) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }

    private static Exec exec(String... command) throws Exception {
        return NetworkNamespace.run(command);
    }

    private static String must(String... command) throws Exception {
        return NetworkNamespace.must(command);
    }
}
