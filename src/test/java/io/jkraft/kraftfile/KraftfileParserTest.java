package io.jkraft.kraftfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import io.jkraft.common.Architecture;
import io.jkraft.common.Platform;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KraftfileParserTest {

    private static final Path FILE = Path.of("helloworld", "Kraftfile");

    private static Kraftfile parse(String yaml) {
        return parse(yaml, Map.of());
    }

    private static Kraftfile parse(String yaml, Map<String, String> env) {
        return new KraftfileParser().parse(FILE, yaml, env);
    }

    @Test
    void catalogHelloworld() {
        Kraftfile k = parse("""
                spec: v0.6

                name: helloworld

                unikraft: stable

                targets:
                - fc/arm64
                - fc/x86_64
                - qemu/arm64
                - qemu/x86_64
                - xen/x86_64
                """);

        assertThat(k.file()).isEqualTo(FILE);
        assertThat(k.spec()).isEqualTo("v0.6");
        assertThat(k.name()).isEqualTo("helloworld");
        assertThat(k.outdir()).isEqualTo(".unikraft/build");
        assertThat(k.unikraft()).isEqualTo(new Component("unikraft", null, "stable", Map.of()));
        assertThat(k.template()).isNull();
        assertThat(k.runtime()).isNull();
        assertThat(k.rootfs()).isNull();
        assertThat(k.cmd()).isEmpty();
        assertThat(k.env()).isEmpty();
        assertThat(k.libraries()).isEmpty();
        assertThat(k.volumes()).isEmpty();
        assertThat(k.labels()).isEmpty();
        assertThat(k.extensions()).isEmpty();
        assertThat(k.targets()).extracting(Target::platArch)
                .containsExactly("fc/arm64", "fc/x86_64", "qemu/arm64", "qemu/x86_64", "xen/x86_64");
        assertThat(k.targets()).allSatisfy(t -> {
            assertThat(t.name()).isNull();
            assertThat(t.kernel()).isNull();
            assertThat(t.kconfig()).isEmpty();
        });
    }

    @Test
    void nameDefaultsToTheProjectFolderAndSpecAcceptsNumbersAndLongName() {
        Kraftfile k = parse("specification: 0.5\n");
        assertThat(k.name()).isEqualTo("helloworld");
        assertThat(k.spec()).isEqualTo("v0.5");
        assertThat(k.targets()).isEmpty();
        assertThat(parse("spec: '0.6'\n").spec()).isEqualTo("v0.6");
        assertThat(parse("spec: 0.6\noutdir: out/build\n").outdir()).isEqualTo("out/build");
    }

    @Test
    void unikraftAsMapWithKconfigMap() {
        Kraftfile k = parse("""
                spec: v0.6
                unikraft:
                  source: https://github.com/unikraft/unikraft.git
                  version: RELEASE-0.17.0
                  kconfig:
                    CONFIG_LIBUKRANDOM: 'n'
                    CONFIG_LIBPOSIX_SOCKET: true
                    LIBVFSCORE_AUTOMOUNT_ROOTFS: false
                    CONFIG_LIBUKDEBUG_PRINTK_ERR: yes
                    CONFIG_STACK_SIZE_PAGE_ORDER: 10
                    CONFIG_APPNAME: "hello world"
                    CONFIG_Y_AS_WRITTEN: y
                """);

        Component uk = k.unikraft();
        assertThat(uk.name()).isEqualTo("unikraft");
        assertThat(uk.source()).isEqualTo("https://github.com/unikraft/unikraft.git");
        assertThat(uk.version()).isEqualTo("RELEASE-0.17.0");
        assertThat(uk.kconfig()).containsExactly(
                entry("CONFIG_LIBUKRANDOM", "n"),
                entry("CONFIG_LIBPOSIX_SOCKET", "y"),
                entry("CONFIG_LIBVFSCORE_AUTOMOUNT_ROOTFS", "n"),
                entry("CONFIG_LIBUKDEBUG_PRINTK_ERR", "y"),
                entry("CONFIG_STACK_SIZE_PAGE_ORDER", "10"),
                entry("CONFIG_APPNAME", "hello world"),
                entry("CONFIG_Y_AS_WRITTEN", "y"));
    }

    @Test
    void kconfigAsList() {
        Kraftfile k = parse("""
                spec: v0.6
                unikraft:
                  version: 0.17
                  kconfig:
                  - CONFIG_LIBUKRANDOM=n
                  - LIBPOSIX_SOCKET=y
                  - CONFIG_APPNAME="a=b"
                """);
        assertThat(k.unikraft().version()).isEqualTo("0.17");
        assertThat(k.unikraft().kconfig()).containsExactly(
                entry("CONFIG_LIBUKRANDOM", "n"),
                entry("CONFIG_LIBPOSIX_SOCKET", "y"),
                entry("CONFIG_APPNAME", "\"a=b\""));
    }

    @Test
    void librariesInEveryStringFormAndAsMaps() {
        Kraftfile k = parse("""
                spec: v0.6
                libraries:
                  musl: stable
                  lwip: 2.1.2
                  local: ./libs/local
                  parent: ../shared/lib
                  absolute: /opt/unikraft/libs/abs
                  home: ~/libs/home
                  https: https://github.com/unikraft/lib-nginx.git?branch=staging
                  ssh: git@github.com:unikraft/lib-zydis.git
                  tarball: https://example.org/lib-foo.tar.gz
                  empty:
                  mapped:
                    source: https://github.com/unikraft/lib-openssl.git
                    version: ${OPENSSL_VERSION:-stable}
                    kconfig:
                      LIBSSL: true
                  x-ignored: whatever
                """);
        assertThat(k.libraries()).containsExactly(
                entry("musl", new Component("musl", null, "stable", Map.of())),
                entry("lwip", new Component("lwip", null, "2.1.2", Map.of())),
                entry("local", new Component("local", "./libs/local", null, Map.of())),
                entry("parent", new Component("parent", "../shared/lib", null, Map.of())),
                entry("absolute", new Component("absolute", "/opt/unikraft/libs/abs", null, Map.of())),
                entry("home", new Component("home", "~/libs/home", null, Map.of())),
                entry("https", new Component("https", "https://github.com/unikraft/lib-nginx.git?branch=staging", null, Map.of())),
                entry("ssh", new Component("ssh", "git@github.com:unikraft/lib-zydis.git", null, Map.of())),
                entry("tarball", new Component("tarball", "https://example.org/lib-foo.tar.gz", null, Map.of())),
                entry("empty", new Component("empty", null, null, Map.of())),
                entry("mapped", new Component("mapped", "https://github.com/unikraft/lib-openssl.git", "stable",
                        Map.of("CONFIG_LIBSSL", "y"))));
    }

    @Test
    void templateAndRuntimeAndRootfs() {
        Kraftfile k = parse("""
                spec: v0.6
                template: https://github.com/unikraft/app-elfloader.git
                runtime: unikraft.org/python3.10:latest
                rootfs: ./Dockerfile
                """);
        assertThat(k.template()).isEqualTo(new Component("template", "https://github.com/unikraft/app-elfloader.git", null, Map.of()));
        assertThat(k.runtime()).isEqualTo("unikraft.org/python3.10:latest");
        assertThat(k.rootfs()).isEqualTo("./Dockerfile");
        assertThat(k.unikraft()).isNull();
    }

    @Test
    void targetsAsMapsWithAliases() {
        Kraftfile k = parse("""
                spec: v0.6
                targets:
                - name: dev
                  platform: kvm
                  architecture: amd64
                  kconfig:
                    CONFIG_LIBUKDEBUG: y
                - plat: firecracker
                  arch: aarch64
                  kernel: ./prebuilt/kernel
                - platform: xen/arm32
                - kvm/x86_64
                - architecture: x86_64
                  platform: qemu
                  x-note: ignored
                """);
        assertThat(k.targets()).containsExactly(
                new Target("dev", Platform.QEMU, Architecture.X86_64, null, Map.of("CONFIG_LIBUKDEBUG", "y")),
                new Target(null, Platform.FC, Architecture.ARM64, "./prebuilt/kernel", Map.of()),
                new Target(null, Platform.XEN, Architecture.ARM, null, Map.of()),
                new Target(null, Platform.QEMU, Architecture.X86_64, null, Map.of()),
                new Target(null, Platform.QEMU, Architecture.X86_64, null, Map.of()));
    }

    @Test
    void envAsListAndMapTakesMissingValuesFromTheHost() {
        Map<String, String> host = Map.of("HOME", "/home/me", "EMPTY_ON_HOST", "");
        Kraftfile list = parse("""
                spec: v0.6
                env:
                - GREETING=hello=world
                - HOME
                - NOT_ON_HOST
                - BLANK=
                """, host);
        assertThat(list.env()).containsExactly(entry("GREETING", "hello=world"), entry("HOME", "/home/me"),
                entry("NOT_ON_HOST", null), entry("BLANK", ""));

        Kraftfile map = parse("""
                spec: v0.6
                env:
                  GREETING: hello
                  HOME:
                  EMPTY: ""
                  PORT: 8080
                """, host);
        assertThat(map.env()).containsExactly(entry("GREETING", "hello"), entry("HOME", "/home/me"),
                entry("EMPTY", null), entry("PORT", "8080"));
    }

    @Test
    void cmdStringIsSplitLikeAShell() {
        assertThat(parse("spec: v0.6\ncmd: \"/usr/bin/nginx -c '/etc/nginx/my conf' -g \\\"daemon off;\\\"\"\n").cmd())
                .containsExactly("/usr/bin/nginx", "-c", "/etc/nginx/my conf", "-g", "daemon off;");
        assertThat(parse("spec: v0.6\ncmd: ['/bin/server', '--port', 8080]\n").cmd())
                .containsExactly("/bin/server", "--port", "8080");
        assertThat(parse("spec: v0.6\ncmd: a\\ b \"\" c\n").cmd()).containsExactly("a b", "", "c");
    }

    @Test
    void volumesAndLabels() {
        Kraftfile k = parse("""
                spec: v0.6
                volumes:
                - ./rootfs:/
                - source: ./data
                  destination: /data
                - source: ./only
                labels:
                  org.example.team: kernel
                  empty:
                """);
        assertThat(k.volumes()).containsExactly("./rootfs:/", "./data:/data", "./only");
        assertThat(k.labels()).containsExactly(entry("org.example.team", "kernel"), entry("empty", ""));
        assertThat(parse("spec: v0.6\nvolumes: ./fs\n").volumes()).containsExactly("./fs");
    }

    @Test
    void interpolatesValuesButNotKeys() {
        Map<String, String> env = Map.of("UK_VERSION", "RELEASE-0.18.0", "APP", "web", "EMPTY", "", "X_DIR", "/x");
        Kraftfile k = parse("""
                spec: v0.6
                name: ${APP}-server
                unikraft: ${UK_VERSION}
                outdir: $X_DIR/build
                rootfs: ${MISSING}
                runtime: ${EMPTY:-fallback}:${EMPTY-kept}$$HOME
                labels:
                  ${APP}: ${NOPE:-${APP}}
                cmd: ["${APP:+set}", "${NOPE:+set}", "${NOPE-dash}"]
                """, env);
        assertThat(k.name()).isEqualTo("web-server");
        assertThat(k.unikraft().version()).isEqualTo("RELEASE-0.18.0");
        assertThat(k.outdir()).isEqualTo("/x/build");
        assertThat(k.rootfs()).isEmpty();
        assertThat(k.runtime()).isEqualTo("fallback:$HOME");
        assertThat(k.labels()).containsExactly(entry("${APP}", "web"));
        assertThat(k.cmd()).containsExactly("set", "", "dash");
    }

    @Test
    void extensionsAreKeptAtTopLevelAndIgnoredBelow() {
        Kraftfile k = parse("""
                spec: v0.6
                x-meta: &meta
                  owner: ${WHO}
                  count: 3
                  big: 12345678901234567890
                  ratio: 0.5
                  enabled: true
                  none:
                  tags: [a, b]
                x-copy: *meta
                unikraft:
                  version: stable
                  x-comment: not a component key
                """, Map.of("WHO", "me"));
        assertThat(k.extensions()).containsOnlyKeys("x-meta", "x-copy");
        @SuppressWarnings("unchecked")
        Map<String, Object> meta = (Map<String, Object>) k.extensions().get("x-meta");
        assertThat(meta).containsExactly(entry("owner", "me"), entry("count", 3L),
                entry("big", new java.math.BigInteger("12345678901234567890")), entry("ratio", 0.5),
                entry("enabled", true), entry("none", null), entry("tags", List.of("a", "b")));
        assertThat(k.extensions().get("x-copy")).isEqualTo(meta);
        assertThat(k.unikraft().version()).isEqualTo("stable");
    }

    @Test
    void anchorsAliasesAndMergeKeys() {
        Kraftfile k = parse("""
                spec: v0.6
                x-base: &base
                  CONFIG_A: y
                  CONFIG_B: y
                x-qemu: &qemu qemu
                unikraft:
                  kconfig:
                    <<: *base
                    CONFIG_B: n
                targets:
                - platform: *qemu
                  architecture: x86_64
                  kconfig: *base
                """);
        assertThat(k.unikraft().kconfig()).containsExactly(entry("CONFIG_A", "y"), entry("CONFIG_B", "n"));
        assertThat(k.targets()).containsExactly(
                new Target(null, Platform.QEMU, Architecture.X86_64, null, Map.of("CONFIG_A", "y", "CONFIG_B", "y")));
    }

    @Test
    void byteOrderMarkIsSkipped() {
        assertThat(parse("\uFEFFspec: v0.6\n").spec()).isEqualTo("v0.6");
    }
}
