package io.jkraft.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jkraft.common.Architecture;
import io.jkraft.common.Platform;
import io.jkraft.common.UserException;
import io.jkraft.kraftfile.Target;
import io.jkraft.pkg.oci.Descriptor;
import io.jkraft.pkg.oci.ImagePacker;
import io.jkraft.pkg.oci.OciLayout;
import io.jkraft.pkg.oci.PackRequest;
import io.jkraft.pkg.oci.PackTarget;
import io.jkraft.pkg.oci.Reference;
import io.jkraft.registry.TransferListener.Action;
import io.jkraft.testing.LocalRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Push and pull against Debian's real docker-registry on 127.0.0.1, without authentication. */
@Tag("registry")
class RegistryServiceTest {
    @TempDir
    Path dir;

    private LocalRegistry registry;
    private final List<String> events = Collections.synchronizedList(new ArrayList<>());
    private final TransferListener listener = (action, blob) -> events.add(action + " " + blob.digest());

    @BeforeEach
    void startRegistry() throws Exception {
        String reason = LocalRegistry.unavailableReason();
        assumeTrue(reason == null, reason);
        registry = LocalRegistry.start(dir);
    }

    @AfterEach
    void stopRegistry() throws Exception {
        if (registry != null) {
            registry.close();
        }
    }

    private RegistryService service(String store) {
        return new RegistryService(dir.resolve(store), new CredentialStore(dir.resolve("auth.json"),
                dir.resolve("docker/config.json")), List.of(), listener, RegistryService.DEFAULT_CHUNK, Duration.ofMillis(10));
    }

    /** Packs a two-target image with a kernel of {@code kernelBytes} random bytes into the store. */
    static Descriptor pack(Path store, String ref, int kernelBytes) throws Exception {
        Path kernel = store.resolveSibling("kernel-" + kernelBytes);
        byte[] content = new byte[kernelBytes];
        new Random(kernelBytes).nextBytes(content);
        Files.write(kernel, content);
        return new ImagePacker(OciLayout.open(store)).pack(new PackRequest(Reference.parse(ref), List.of(
                new PackTarget(new Target(null, Platform.QEMU, Architecture.X86_64, null, Map.of()), kernel, null, null, "0.18.0",
                        Map.of("CONFIG_LIBUKDEBUG", "y")),
                new PackTarget(new Target(null, Platform.QEMU, Architecture.ARM64, null, Map.of()), kernel, null, null, "0.18.0", Map.of())),
                List.of("-v"), List.of("A=b"), Map.of(), false));
    }

    private long count(Action action) {
        return events.stream().filter(e -> e.startsWith(action + " ")).count();
    }

    @Test
    void pushThenPullGivesTheSameImageAndASecondPushSendsNoBlob() throws Exception {
        String ref = registry.address() + "/demo/hello:1.0";
        Descriptor packed = pack(dir.resolve("a"), ref, 4000);

        Descriptor pushed = service("a").push(ref);
        assertThat(pushed.digest()).isEqualTo(packed.digest());
        // one shared kernel layer, two configs
        assertThat(count(Action.UPLOADED)).isEqualTo(3);
        assertThat(count(Action.MANIFEST)).isEqualTo(3);

        events.clear();
        service("a").push(ref);
        assertThat(count(Action.UPLOADED)).isZero();
        assertThat(count(Action.EXISTS)).isEqualTo(3);

        events.clear();
        Descriptor pulled = service("b").pull(ref, null, null);
        assertThat(pulled.digest()).isEqualTo(packed.digest());
        assertThat(count(Action.DOWNLOADED)).isEqualTo(3);
        OciLayout b = OciLayout.open(dir.resolve("b"));
        assertThat(b.resolve(Reference.parse(ref))).get().extracting(Descriptor::digest).isEqualTo(packed.digest());
        OciLayout a = OciLayout.open(dir.resolve("a"));
        assertThat(b.readBlob(pulled)).isEqualTo(a.readBlob(packed));
        for (Path blob : list(dir.resolve("a/blobs/sha256"))) {
            assertThat(dir.resolve("b/blobs/sha256").resolve(blob.getFileName())).hasSameBinaryContentAs(blob);
        }
        assertThat(list(dir.resolve("b/tmp"))).isEmpty();

        events.clear();
        service("b").pull(ref, null, null);
        assertThat(count(Action.DOWNLOADED)).as("a second pull finds every blob in the store").isZero();
    }

    @Test
    void pullForOnePlatformStoresAnIndexOfThatManifestOnly() throws Exception {
        String ref = registry.address() + "/hello:2";
        pack(dir.resolve("a"), ref, 3000);
        service("a").push(ref);

        Descriptor pulled = service("b").pull(ref, "qemu", "arm64");
        JsonNode index = new ObjectMapper().readTree(OciLayout.open(dir.resolve("b")).readBlob(pulled));
        assertThat(index.path("manifests")).hasSize(1);
        assertThat(index.path("manifests").get(0).path("platform").path("architecture").asText()).isEqualTo("arm64");

        assertThatThrownBy(() -> service("c").pull(ref, "fc", null)).isInstanceOf(UserException.class)
                .hasMessageContaining("has no kernel for fc/*").hasMessageContaining("qemu/x86_64, qemu/arm64");
    }

    @Test
    void aFilteredPullKeepsTheFieldsAnotherToolWroteInTheIndex() throws Exception {
        String ref = registry.address() + "/foreign:1";
        OciLayout a = OciLayout.open(dir.resolve("a"));
        ObjectMapper json = new ObjectMapper();
        var index = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(a.readBlob(pack(dir.resolve("a"),
                ref, 2000)));
        index.putObject("annotations").put("com.example.built-by", "another tool");
        index.put("artifactType", "application/vnd.example");
        for (JsonNode m : index.path("manifests")) {
            ((com.fasterxml.jackson.databind.node.ObjectNode) m).putArray("urls").add("https://mirror.example/m");
        }
        a.tag(Reference.parse(ref), a.putBlob(json.writeValueAsBytes(index), OciLayout.INDEX_MEDIA_TYPE));
        service("a").push(ref);

        Descriptor pulled = service("b").pull(ref, "qemu", "arm64");

        JsonNode stored = json.readTree(OciLayout.open(dir.resolve("b")).readBlob(pulled));
        assertThat(stored.path("annotations").path("com.example.built-by").asText()).isEqualTo("another tool");
        assertThat(stored.path("artifactType").asText()).isEqualTo("application/vnd.example");
        assertThat(stored.path("manifests")).hasSize(1);
        assertThat(stored.path("manifests").get(0).path("urls").get(0).asText()).isEqualTo("https://mirror.example/m");
        assertThat(stored.path("manifests").get(0).path("platform").path("architecture").asText()).isEqualTo("arm64");
    }

    @Test
    void aBlobTamperedWithInTheRegistryIsRejectedAndNothingIsStored() throws Exception {
        String ref = registry.address() + "/hello:1";
        Descriptor index = pack(dir.resolve("a"), ref, 5000);
        service("a").push(ref);
        OciLayout a = OciLayout.open(dir.resolve("a"));
        String layer = a.readManifest(a.readIndex(index).manifests().get(0)).layers().get(0).digest().toString();
        Path data = registry.blobData(layer);
        byte[] bytes = Files.readAllBytes(data);
        bytes[bytes.length / 2] ^= 1; // same size, one bit flipped
        Files.write(data, bytes);

        assertThatThrownBy(() -> service("b").pull(ref, null, null)).isInstanceOf(UserException.class)
                .hasMessageContaining("does not match its digest " + layer).hasMessageContaining("nothing was stored");
        Path b = dir.resolve("b");
        assertThat(list(b.resolve("blobs/sha256"))).isEmpty();
        assertThat(list(b.resolve("tmp"))).isEmpty();
        assertThat(OciLayout.open(b).list()).isEmpty();
    }

    @Test
    void anImageInAnotherRepositoryIsMountedNotUploaded() throws Exception {
        String first = registry.address() + "/team/hello:1";
        String second = registry.address() + "/other/hello:1";
        pack(dir.resolve("a"), first, 2000);
        pack(dir.resolve("a"), second, 2000);
        service("a").push(first);

        events.clear();
        service("a").push(second);
        assertThat(count(Action.MOUNTED)).isEqualTo(3);
        assertThat(count(Action.UPLOADED)).isZero();
        assertThat(service("b").pull(second, null, null).digest()).isNotNull();
        assertThat(OciLayout.open(dir.resolve("a")).resolve(Reference.parse(second)).orElseThrow()
                .annotations().get(RegistryService.SOURCE)).isEqualTo(Reference.parse(second).name());
    }

    @Test
    void largeBlobsGoUpInChunks() throws Exception {
        String ref = registry.address() + "/chunky:1";
        Descriptor index = pack(dir.resolve("a"), ref, 10_000);
        service("a").withChunkSize(1024).push(ref);
        assertThat(service("b").pull(ref, null, null).digest()).isEqualTo(index.digest());
    }

    @Test
    void unknownImageAndUnknownTagAreOneClearError() throws Exception {
        assertThatThrownBy(() -> service("b").pull(registry.address() + "/nothing:here", null, null))
                .isInstanceOf(UserException.class).hasMessageContaining("has no image nothing:here (404 Not Found)");
        assertThatThrownBy(() -> service("a").push(registry.address() + "/never/packed:1"))
                .isInstanceOf(UserException.class).hasMessageContaining("no image").hasMessageContaining("local store");
    }

    @Test
    void anUnreachableRegistryIsOneClearError() throws Exception {
        int port = LocalRegistry.freePort();
        assertThatThrownBy(() -> service("b").pull("127.0.0.1:" + port + "/x:1", null, null))
                .isInstanceOf(UserException.class).hasMessageContaining("cannot reach registry 127.0.0.1:" + port)
                .extracting(e -> ((UserException) e).hint()).asString().contains("check the address");
    }

    @Test
    void skopeoReadsWhatWasPushed() throws Exception {
        assumeTrue(onPath("skopeo"), "skopeo is not installed (scripts/install-deps installs it)");
        String ref = registry.address() + "/interop/hello:1.0";
        Descriptor index = pack(dir.resolve("a"), ref, 1000);
        service("a").push(ref);

        Process p = new ProcessBuilder("skopeo", "inspect", "--raw", "--tls-verify=false", "docker://" + ref)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] raw = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(raw).isEqualTo(OciLayout.open(dir.resolve("a")).readBlob(index));
        JsonNode manifests = new ObjectMapper().readTree(raw).path("manifests");
        assertThat(manifests).hasSize(2);
        List<String> platforms = new ArrayList<>();
        manifests.forEach(m -> platforms.add(m.path("platform").path("os").asText() + "/"
                + m.path("platform").path("architecture").asText()));
        assertThat(platforms).containsExactlyInAnyOrder("qemu/x86_64", "qemu/arm64");
        assertThat(manifests.get(0).path("platform").path("os.version").asText()).isEqualTo("0.18.0");
        String text = new String(raw, StandardCharsets.UTF_8);
        assertThat(text).contains(ImagePacker.ANNOTATION_NAME);
    }

    static boolean onPath(String program) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(d -> !d.isEmpty() && Files.isExecutable(Path.of(d, program)));
    }

    static List<Path> list(Path folder) throws Exception {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(folder)) {
            return s.toList();
        }
    }
}
