package io.jkraft.pkg.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jkraft.common.Digest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OciJsonTest {
    private static final String A = "sha256:" + "a".repeat(64);
    private static final String B = "sha256:" + "b".repeat(64);
    private static final String C = "sha256:" + "c".repeat(64);

    private final ObjectMapper trees = new ObjectMapper();

    /** An index as another tool may write it: fields of later specs, Docker's, and a tool's own. */
    private static final String FOREIGN_INDEX = """
            {"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json",
             "artifactType":"application/vnd.example+type",
             "manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":7,
                           "urls":["https://mirror.example/blob"],"data":"e30=",
                           "annotations":{"z.last":"1","a.first":"2"},
                           "platform":{"architecture":"arm64","os":"linux","variant":"v8",
                                       "os.features":["x"],"features":["sse4"]},
                           "artifactType":"application/vnd.example.sbom"}],
             "subject":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":3},
             "annotations":{"org.example.team":"acme"},
             "x-tool":{"nested":[1,2,{"deep":true}]}}
            """.formatted(A, B);

    @Test
    void anIndexWrittenByAnotherToolLosesNothingWhenWrittenBack() throws Exception {
        OciIndex index = OciJson.index(bytes(FOREIGN_INDEX));

        Descriptor entry = index.manifests().getFirst();
        assertThat(entry.digest()).isEqualTo(Digest.parse(A));
        assertThat(entry.platform().platArch()).isEqualTo("linux/arm64");
        assertThat(entry.platform().osFeatures()).containsExactly("x");
        assertThat(entry.unknown()).containsOnlyKeys("urls", "data", "artifactType");
        assertThat(index.unknown()).containsOnlyKeys("artifactType", "subject", "x-tool");
        assertThat(index.annotations()).containsEntry("org.example.team", "acme");

        byte[] written = OciJson.bytes(index);
        assertThat(trees.readTree(written)).isEqualTo(trees.readTree(FOREIGN_INDEX));
        assertThat(OciJson.index(written)).isEqualTo(index);
    }

    @Test
    void aDocumentInTheSpecsOrderIsWrittenBackByteForByte() throws Exception {
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + A
                + "\",\"size\":2},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\""
                + B + "\",\"size\":2048,\"annotations\":{\"org.unikraft.kernel.image\":\"/unikraft/bin/kernel\"}}],"
                + "\"annotations\":{\"a\":\"1\",\"b\":\"2\"}}";
        OciManifest m = OciJson.manifest(bytes(manifest));
        assertThat(m.blobs()).extracting(Descriptor::digest).containsExactly(Digest.parse(A), Digest.parse(B));
        assertThat(new String(OciJson.bytes(m), StandardCharsets.UTF_8)).isEqualTo(manifest);
    }

    @Test
    void aConfigFromDockerKeepsWhatItDoesNotModel() throws Exception {
        String config = """
                {"architecture":"amd64","os":"linux","created":"2024-01-01T00:00:00Z",
                 "config":{"Env":["PATH=/bin"],"Cmd":["sh"],"Entrypoint":["/init"],"WorkingDir":"/"},
                 "rootfs":{"type":"layers","diff_ids":["%s"]},"history":[{"created_by":"x"}]}
                """.formatted(C);
        ImageConfig c = OciJson.config(bytes(config));
        assertThat(c.execution().cmd()).containsExactly("sh");
        assertThat(c.execution().env()).containsExactly("PATH=/bin");
        assertThat(c.execution().unknown()).containsOnlyKeys("Entrypoint", "WorkingDir");
        assertThat(c.rootfs().diffIds()).containsExactly(Digest.parse(C));
        assertThat(c.platform()).isEqualTo(new ImagePlatform("linux", "amd64", null, List.of()));
        assertThat(trees.readTree(OciJson.bytes(c))).isEqualTo(trees.readTree(config));
    }

    @Test
    void aConfigWithoutPlatformOrExecutionReadsAsEmpty() throws Exception {
        ImageConfig c = OciJson.config(bytes("{}"));
        assertThat(c.execution().cmd()).isEmpty();
        assertThat(c.platform().platArch()).isEqualTo("/");
    }

    @Test
    void documentsThatAreNotWhatTheyShouldBeSaySo() {
        assertUnreadable(() -> OciJson.index(bytes("{\"manifests\":[")), "it is not JSON");
        assertUnreadable(() -> OciJson.index(bytes("null")), "it is JSON null");
        assertUnreadable(() -> OciJson.index(bytes("{\"manifests\":[{\"digest\":\"md5:12\",\"size\":1}]}")),
                "'md5:12' is not a digest: its algorithm is 'md5', and jkraft checks sha256 digests only");
        assertUnreadable(() -> OciJson.index(bytes("{\"manifests\":[{\"digest\":\"sha256:../../etc/passwd\"}]}")),
                "'sha256:../../etc/passwd' is not a digest: it has 16 characters after 'sha256:', where 64 hex"
                        + " digits belong");
        assertUnreadable(() -> OciJson.index(bytes("{\"manifests\":[{\"mediaType\":\"x\"}]}")),
                "a descriptor without a digest");
        assertUnreadable(() -> OciJson.manifest(bytes("{\"layers\":[]}")), "an image manifest without a config");
    }

    private static void assertUnreadable(OciJsonRead read, String why) {
        assertThatThrownBy(read::run).isInstanceOf(IOException.class).hasMessage(why);
    }

    private interface OciJsonRead {
        Object run() throws IOException;
    }

    @Test
    void theMediaTypeOfAnyDocumentIsReadAlone() throws Exception {
        assertThat(OciJson.mediaType(bytes(FOREIGN_INDEX))).isEqualTo(OciLayout.INDEX_MEDIA_TYPE);
        assertThat(OciJson.mediaType(bytes("{\"schemaVersion\":2}"))).isNull();
    }

    @Test
    void newDocumentsAreOfTheOciTypesAndVersion() throws Exception {
        Descriptor config = new Descriptor(ImagePacker.CONFIG_MEDIA_TYPE, Digest.parse(A), 2);
        OciIndex index = OciIndex.of(List.of(config), Map.of("k", "v"));
        assertThat(trees.readTree(OciJson.bytes(index))).isEqualTo(trees.readTree("""
                {"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json",
                 "manifests":[{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":2}],
                 "annotations":{"k":"v"}}""".formatted(A)));
        OciManifest manifest = OciManifest.of(config, List.of(), Map.of());
        assertThat(new String(OciJson.bytes(manifest), StandardCharsets.UTF_8)).isEqualTo(
                "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":"
                        + "{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + A
                        + "\",\"size\":2},\"layers\":[]}");
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
