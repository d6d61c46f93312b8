package io.jkraft.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jkraft.machine.HostPorts;
import io.jkraft.testing.NetworkNamespace;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upstream catalog apps that need external libraries, built and run through jkraft only: the catalog's
 * native/http-c (lwip), library/nginx/1.15 (musl, lwip, nginx, an embedded rootfs) and library/redis/7.0
 * (musl, lwip, redis, an embedded rootfs, and no Makefile.uk), for qemu/x86_64, answering HTTP and redis's
 * protocol through {@code -p}. Nobody here wrote them, and this machine has no internet, so they run
 * only when told where the world is:
 * <ul>
 *   <li>{@code JKRAFT_TEST_ORIGIN_BASE}: a folder of git mirrors of Unikraft's repositories ({@code unikraft},
 *       {@code lib-musl}, {@code lib-lwip}, {@code lib-nginx}, {@code lib-redis} and {@code catalog});</li>
 *   <li>{@code JKRAFT_TEST_ORIGIN_ARCHIVES}: a folder holding the libraries' origin archives by name
 *       ({@code musl-1.2.3.tar.gz}, {@code UNIKRAFT-2_1_x.zip}, {@code nginx-1.15.6.tar.gz}, redis's
 *       {@code 7.0.11.zip});</li>
 *   <li>{@code JKRAFT_TEST_REAL_APP_CORE} (optional): the core release the libraries match, to which the apps
 *       are pinned, as their users do (default {@value #DEFAULT_CORE}; the libraries of that era do not build
 *       with a newer core).</li>
 * </ul>
 */
@Tag("qemu")
@Tag("unikraft")
class RealAppsTest {
    static final String DEFAULT_CORE = "RELEASE-0.16.3";
    private static final Duration ANSWER_WITHIN = Duration.ofSeconds(90);

    @TempDir
    Path tmp;
    private MachineCli cli;
    private Path catalog;

    @BeforeEach
    void world() throws Exception {
        String base = System.getenv("JKRAFT_TEST_ORIGIN_BASE");
        String archives = System.getenv("JKRAFT_TEST_ORIGIN_ARCHIVES");
        assumeTrue(base != null && !base.isBlank(), "JKRAFT_TEST_ORIGIN_BASE is not set: point it at a folder of git"
                + " mirrors of Unikraft's repositories (unikraft, lib-musl, lib-lwip, lib-nginx, catalog)");
        assumeTrue(archives != null && !archives.isBlank(), "JKRAFT_TEST_ORIGIN_ARCHIVES is not set: point it at a"
                + " folder holding the libraries' origin archives by name");
        Path mirror = Path.of(base.replaceFirst("^file://", ""));
        assumeTrue(Files.isDirectory(mirror.resolve("catalog")), mirror + " has no catalog mirror");
        cli = new MachineCli(tmp.resolve("j")).withEnv("JKRAFT_ORIGIN_BASE", base)
                .withEnv("JKRAFT_ORIGIN_ARCHIVES", archives);
        catalog = tmp.resolve("catalog");
        Git.cloneRepository().setURI(mirror.resolve("catalog").toUri().toString()).setDirectory(catalog.toFile())
                .call().close();
    }

    @AfterEach
    void nothingLeft() throws Exception {
        if (cli != null) {
            cli.ok("rm", "--all");
            assertThat(cli.processes()).as("rm --all ends every QEMU").isEmpty();
            cli.cleanUp();
        }
    }

    @Test
    void httpCWithLwipBuildsAndAnswersThroughAPublishedPort() throws Exception {
        Path app = pinnedApp("native/http-c");
        cli.ok("build", "-t", "qemu/x86_64", app.toString());
        int port = HostPorts.freeLoopbackPort();
        cli.ok("run", "-d", "-W", "-n", "http", "-p", "127.0.0.1:" + port + ":8080", app.toString());
        assertThat(firstAnswer(port)).contains("Hello, World!");
        assertThat(cli.ok("build", "-t", "qemu/x86_64", app.toString()).err()).contains("up to date");

        onANetwork(app, 8080, List.of(), (ns, host, p) -> httpIn(ns, host, p), "Hello, World!");
    }

    @Test
    void nginxWithMuslLwipAndAnEmbeddedRootfsServesItsIndexThroughAPublishedPort() throws Exception {
        Path app = pinnedApp("library/nginx/1.15");
        cli.ok("build", "-t", "qemu/x86_64", app.toString());
        int port = HostPorts.freeLoopbackPort();
        cli.ok("run", "-d", "-W", "-n", "nginx", "-p", "127.0.0.1:" + port + ":80", app.toString());
        assertThat(firstAnswer(port)).contains("Hello from Unikraft!");
        assertThat(cli.qemuOf(cli.machine("nginx"))).singleElement()
                .satisfies(q -> assertThat(q.argv()).as("the rootfs is in the kernel").doesNotContain("-initrd"));
        assertThat(app.resolve(".unikraft/build/initramfs-x86_64.cpio")).as("packed where kraft puts it").isRegularFile();

        onANetwork(app, 80, List.of(), (ns, host, p) -> httpIn(ns, host, p), "Hello from Unikraft!");
    }

    @Test
    void redisWhoseAppFolderHasNoMakefileAnswersPingSetAndGetOverTcp() throws Exception {
        Path app = pinnedApp("library/redis/7.0");
        assertThat(app.resolve("Makefile.uk")).as("the catalog's redis has none").doesNotExist();
        cli.ok("build", "-t", "qemu/x86_64", app.toString());
        assertThat(app.resolve("Makefile.uk")).as("jkraft's empty one is gone after make").doesNotExist();
        int port = HostPorts.freeLoopbackPort();
        cli.ok("run", "-d", "-W", "-M", "256Mi", "-n", "redis", "-p", "127.0.0.1:" + port + ":6379", app.toString());
        assertThat(redis(port, "PING")).isEqualTo("+PONG");
        assertThat(redis(port, "SET jkraft real")).isEqualTo("+OK");
        assertThat(redis(port, "GET jkraft")).isEqualTo("$4");

        onANetwork(app, 6379, List.of("-M", "256Mi"), (ns, host, p) -> answerIn(ns, "printf 'PING\\r\\n' | socat -t 2 - TCP:"
                + host + ":" + p), "+PONG");
    }

    /** Asks a server at an address from inside a namespace, once it answers; returns the answer. */
    @FunctionalInterface
    private interface Query {
        String ask(NetworkNamespace ns, String host, int port) throws Exception;
    }

    /**
     * The app built above, run twice more on a jkraft network (a bridge and taps in a namespace of the test's, where
     * jkraft runs too): one machine at the address asked for, one at an address allocated from the range; the host
     * side of the bridge reaches both, and {@code -p} is forwarded to the first; after {@code rm --all} and
     * {@code net rm} the namespace holds nothing but its loopback. (Guest to guest is not tried: these apps are
     * servers only.)
     */
    private void onANetwork(Path app, int guestPort, List<String> runArgs, Query query, String expected) throws Exception {
        Optional<String> unusable = NetworkNamespace.unusableReason();
        assumeTrue(unusable.isEmpty(), unusable.orElse(""));
        try (NetworkNamespace ns = NetworkNamespace.create()) {
            MachineCli net = cli.sameStoreBehind(ns.prefix());
            net.ok("net", "create", "apps", "--network", "172.31.9.1/24");
            int published = 18000 + guestPort % 1000; // the namespace's own loopback: no other test's port
            List<String> run = new ArrayList<>(List.of("run", "-d", "-W", "-n", "onnet", "--network", "apps:172.31.9.20",
                    "-p", "127.0.0.1:" + published + ":" + guestPort));
            run.addAll(runArgs);
            run.add(app.toString());
            net.ok(run.toArray(String[]::new));
            net.ok(withName(run, "second", "apps").toArray(String[]::new));
            JsonNode onnet = net.machine("onnet");
            assertThat(onnet.get("networks").get(0).get("ip").asText()).isEqualTo("172.31.9.20");
            String other = net.machine("second").get("networks").get(0).get("ip").asText();
            assertThat(other).as("allocated from the range, not twice").startsWith("172.31.9.").isNotEqualTo("172.31.9.20");

            assertThat(query.ask(ns, "172.31.9.20", guestPort)).as("the host reaches the guest").contains(expected);
            assertThat(query.ask(ns, other, guestPort)).as("and the second one").contains(expected);
            assertThat(query.ask(ns, "127.0.0.1", published)).as("through -p").contains(expected);

            net.ok("rm", "--all");
            net.ok("net", "rm", "apps");
            assertThat(NetworkNamespace.must("ip", "-n", ns.name(), "-o", "link", "show").strip().lines()
                    .map(l -> l.split(":")[1].strip()).toList()).as("nothing left but lo").containsExactly("lo");
        }
    }

    private static List<String> withName(List<String> run, String name, String network) {
        List<String> other = new ArrayList<>(run);
        other.set(other.indexOf("-n") + 1, name);
        other.set(other.indexOf("--network") + 1, network);
        int p = other.indexOf("-p");
        other.remove(p + 1);
        other.remove(p);
        return other;
    }

    private static String httpIn(NetworkNamespace ns, String host, int port) throws Exception {
        return answerIn(ns, "curl -fsS -m 2 http://" + host + ":" + port + "/");
    }

    /** Runs a shell command in the namespace until it succeeds with some output, for at most {@link #ANSWER_WITHIN}. */
    private static String answerIn(NetworkNamespace ns, String command) throws Exception {
        Instant end = Instant.now().plus(ANSWER_WITHIN);
        NetworkNamespace.Exec last = null;
        while (Instant.now().isBefore(end)) {
            last = ns.exec("sh", "-c", command);
            if (last.status() == 0 && !last.out().isBlank()) {
                return last.out();
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no answer to `" + command + "` in namespace " + ns.name() + " within " + ANSWER_WITHIN
                + ": " + (last == null ? "" : last.out()));
    }

    /** One inline command on a fresh connection, once the server answers; returns its first reply line. */
    private static String redis(int port, String command) throws Exception {
        Instant end = Instant.now().plus(ANSWER_WITHIN);
        IOException last = null;
        while (Instant.now().isBefore(end)) {
            try (java.net.Socket s = new java.net.Socket()) {
                s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 2000);
                s.setSoTimeout(5000);
                s.getOutputStream().write((command + "\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                String line = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(),
                        java.nio.charset.StandardCharsets.US_ASCII)).readLine();
                if (line != null) {
                    return line;
                }
            } catch (IOException e) {
                last = e;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no redis answer on port " + port + " within " + ANSWER_WITHIN, last);
    }

    /** A copy of a catalog app with its core pinned: the one edit its users make on a core newer than its libraries. */
    private Path pinnedApp(String path) throws IOException {
        Path app = tmp.resolve(Path.of(path).getFileName().toString());
        Path from = catalog.resolve(path);
        try (var files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, app.resolve(from.relativize(f).toString()));
            }
        }
        String core = System.getenv().getOrDefault("JKRAFT_TEST_REAL_APP_CORE", DEFAULT_CORE);
        Path kraftfile = app.resolve("Kraftfile");
        Matcher m = Pattern.compile("(?m)^(unikraft:\\n\\s+version: ).*$").matcher(Files.readString(kraftfile));
        assertThat(m.find()).as("the app's Kraftfile names a core version").isTrue();
        Files.writeString(kraftfile, m.replaceFirst("$1" + core));
        return app;
    }

    private static String firstAnswer(int port) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                .timeout(Duration.ofSeconds(2)).build();
        Instant end = Instant.now().plus(ANSWER_WITHIN);
        Exception last = null;
        while (Instant.now().isBefore(end)) {
            try {
                HttpResponse<String> r = http.send(get, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return r.body();
                }
            } catch (IOException e) {
                last = e;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no HTTP answer on port " + port + " within " + ANSWER_WITHIN, last);
    }
}
