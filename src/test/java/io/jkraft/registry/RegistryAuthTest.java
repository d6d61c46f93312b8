package io.jkraft.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jkraft.common.UserException;
import io.jkraft.pkg.oci.Descriptor;
import io.jkraft.testing.LocalRegistry;
import io.jkraft.testing.TokenServer;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Basic (htpasswd) and bearer-token authentication against the real docker-registry; plain HTTP policy. */
@Tag("registry")
class RegistryAuthTest {
    private static final String USER = "alice";
    private static final String PASSWORD = "pw-Zq8-not-in-output";

    @TempDir
    Path dir;

    @BeforeEach
    void registryInstalled() {
        String reason = LocalRegistry.unavailableReason();
        assumeTrue(reason == null, reason);
    }

    private RegistryService service(String store, List<String> insecure) {
        return new RegistryService(dir.resolve(store), credentials(), insecure, TransferListener.SILENT,
                RegistryService.DEFAULT_CHUNK, Duration.ofMillis(10));
    }

    private CredentialStore credentials() {
        return new CredentialStore(dir.resolve("config/auth.json"), dir.resolve("docker/config.json"));
    }

    private Path htpasswd() throws Exception {
        Path file = dir.resolve("htpasswd");
        // bcrypt, which registry 2.8 requires, from Debian's apache2-utils
        Process p = new ProcessBuilder("htpasswd", "-Bbn", USER, PASSWORD).start();
        String line = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        Files.writeString(file, line);
        return file;
    }

    @Test
    void basicAuthNeedsLoginStoresTheCredentialsPrivatelyAndNeverShowsThePassword() throws Exception {
        assumeTrue(RegistryServiceTest.onPath("htpasswd"), "htpasswd is not installed (Debian: apache2-utils)");
        try (LocalRegistry registry = LocalRegistry.start(dir, "127.0.0.1",
                "  htpasswd:\n    realm: jkraft-test\n    path: " + htpasswd() + "\n")) {
            String ref = registry.address() + "/private/hello:1";
            Descriptor packed = RegistryServiceTest.pack(dir.resolve("a"), ref, 1500);

            assertThatThrownBy(() -> service("a", List.of()).push(ref)).isInstanceOf(UserException.class)
                    .hasMessageContaining(registry.address() + " wants credentials")
                    .extracting(e -> ((UserException) e).hint()).asString().contains("jkraft login " + registry.address());

            assertThatThrownBy(() -> service("a", List.of()).login(registry.address(), USER, "wrong-" + PASSWORD))
                    .isInstanceOf(UserException.class).hasMessageContaining("refused the credentials")
                    .satisfies(e -> assertThat(e.getMessage() + ((UserException) e).hint()).doesNotContain(PASSWORD));
            assertThat(dir.resolve("config/auth.json")).doesNotExist();

            service("a", List.of()).login(registry.address(), USER, PASSWORD);
            Path auth = dir.resolve("config/auth.json");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(auth))).isEqualTo("rw-------");
            assertThat(Files.readString(auth)).doesNotContain(PASSWORD); // base64, as Docker writes it
            assertThat(credentials().find(registry.address()).orElseThrow().toString()).doesNotContain(PASSWORD);

            service("a", List.of()).push(ref);
            assertThat(service("b", List.of()).pull(ref, null, null).digest()).isEqualTo(packed.digest());
            assertThat(registry.log()).doesNotContain(PASSWORD);

            assertThat(service("a", List.of()).logout(registry.address())).isTrue();
            assertThat(service("a", List.of()).logout(registry.address())).isFalse();
            assertThatThrownBy(() -> service("c", List.of()).pull(ref, null, null)).isInstanceOf(UserException.class)
                    .hasMessageContaining("wants credentials");

            // Docker's own config works too
            Files.createDirectories(dir.resolve("docker"));
            Files.writeString(dir.resolve("docker/config.json"), "{\"auths\":{\"http://" + registry.address()
                    + "\":{\"auth\":\"" + Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(
                    StandardCharsets.UTF_8)) + "\"}}}");
            assertThat(service("d", List.of()).pull(ref, null, null).digest()).isEqualTo(packed.digest());
        }
    }

    @Test
    void bearerTokensFromTheRegistrysTokenServiceCachedPerScope() throws Exception {
        try (TokenServer tokens = TokenServer.start(dir);
             LocalRegistry registry = LocalRegistry.start(dir, "127.0.0.1", tokens.registryAuthYaml())) {
            String ref = registry.address() + "/tok/hello:1";
            Descriptor packed = RegistryServiceTest.pack(dir.resolve("a"), ref, 1500);

            assertThatThrownBy(() -> service("a", List.of()).push(ref)).isInstanceOf(UserException.class)
                    .hasMessageContaining("wants credentials");
            assertThat(tokens.asked()).isNotEmpty().allSatisfy(a -> assertThat(a.authorization()).isEqualTo("none"));

            service("a", List.of()).login(registry.address(), TokenServer.USER, TokenServer.PASSWORD);
            int before = tokens.asked().size();
            service("a", List.of()).push(ref);
            List<TokenServer.Asked> pushAsked = tokens.asked().subList(before, tokens.asked().size());
            assertThat(pushAsked).as("one token for the push's scope, reused for every blob and manifest").hasSize(1);
            assertThat(pushAsked.getFirst().scopes()).containsExactly("repository:tok/hello:pull,push");
            assertThat(pushAsked.getFirst().authorization()).startsWith("Basic ");

            assertThat(service("b", List.of()).pull(ref, null, null).digest()).isEqualTo(packed.digest());
            assertThat(tokens.asked().getLast().scopes()).containsExactly("repository:tok/hello:pull");

            assertThatThrownBy(() -> service("a", List.of()).login(registry.address(), TokenServer.USER, "nope"))
                    .isInstanceOf(UserException.class).hasMessageContaining("refused the credentials");
        }
    }

    @Test
    void plainHttpOnlyForLoopbackOrRegistriesMarkedInsecure() throws Exception {
        String lan = nonLoopbackAddress();
        assumeTrue(lan != null, "this machine has no non-loopback IPv4 address");
        try (LocalRegistry registry = LocalRegistry.start(dir, "0.0.0.0", "")) {
            String host = lan + ":" + registry.port();
            String ref = host + "/hello:1";
            RegistryServiceTest.pack(dir.resolve("a"), ref, 500);

            assertThatThrownBy(() -> service("a", List.of()).push(ref)).isInstanceOf(UserException.class)
                    .hasMessageContaining("cannot reach registry " + host + " (https://")
                    .extracting(e -> ((UserException) e).hint()).asString()
                    .contains("JKRAFT_INSECURE_REGISTRIES=" + host);
            assertThat(registry.blobFiles()).isEmpty();

            service("a", List.of(host)).push(ref);
            assertThat(registry.blobFiles()).hasSize(6); // a shared layer, two configs, two manifests, the index
        }
    }

    private static String nonLoopbackAddress() throws Exception {
        for (NetworkInterface ni : NetworkInterface.networkInterfaces().toList()) {
            if (!ni.isUp() || ni.isLoopback()) {
                continue;
            }
            for (InetAddress a : ni.inetAddresses().toList()) {
                if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
                    return a.getHostAddress();
                }
            }
        }
        return null;
    }
}
