package io.jkraft.pkg.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jkraft.common.Digest;
import io.jkraft.common.UserException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OciLayoutTest {
    private static final String RAW = "application/octet-stream";

    @TempDir
    Path root;

    @Test
    void aNewStoreIsAValidEmptyImageLayout() throws Exception {
        OciLayout.open(root);
        var mapper = new ObjectMapper();
        assertThat(mapper.readTree(root.resolve("oci-layout").toFile()).path("imageLayoutVersion").asText())
                .isEqualTo("1.0.0");
        var index = mapper.readTree(root.resolve("index.json").toFile());
        assertThat(index.path("schemaVersion").asInt()).isEqualTo(2);
        assertThat(index.path("manifests").size()).isZero();
    }

    @Test
    void blobsAreStoredUnderTheirDigest() throws Exception {
        OciLayout layout = OciLayout.open(root);
        Descriptor d = layout.putBlob("hello".getBytes(StandardCharsets.UTF_8), RAW);
        assertThat(d.digest()).hasToString("sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
        assertThat(d.size()).isEqualTo(5);
        assertThat(root.resolve("blobs/sha256/" + d.hex())).hasContent("hello");
        assertThat(layout.hasBlob(d.digest())).isTrue();
        assertThat(layout.readBlob(d)).asString(StandardCharsets.UTF_8).isEqualTo("hello");
        assertThat(layout.putBlob("hello".getBytes(StandardCharsets.UTF_8), RAW)).isEqualTo(d);
        assertThat(Files.list(root.resolve("tmp"))).isEmpty();
    }

    @Test
    void aTamperedBlobIsCaughtOnRead() throws Exception {
        OciLayout layout = OciLayout.open(root);
        Descriptor d = layout.putBlob("hello".getBytes(StandardCharsets.UTF_8), RAW);
        Files.writeString(root.resolve("blobs/sha256/" + d.hex()), "jello");
        assertThatThrownBy(() -> layout.readBlob(d)).isInstanceOf(UserException.class)
                .hasMessageContaining(d.digest().toString()).hasMessageContaining("corrupt");
        Files.writeString(root.resolve("blobs/sha256/" + d.hex()), "hello!");
        assertThatThrownBy(() -> layout.readBlob(d)).isInstanceOf(UserException.class)
                .hasMessageContaining("6 bytes, expected 5");
    }

    @Test
    void aBlobCutShortCountsAsMissingAndABatchReplacesIt() throws Exception {
        OciLayout layout = OciLayout.open(root);
        byte[] content = "hello".getBytes(StandardCharsets.UTF_8);
        Descriptor d = layout.putBlob(content, RAW);
        assertThat(layout.hasBlob(d)).isTrue();
        Files.write(root.resolve("blobs/sha256/" + d.hex()), new byte[0]); // what a power loss may leave unsynced
        assertThat(layout.hasBlob(d)).isFalse();
        try (BlobBatch batch = layout.batch()) {
            batch.put(content, d, "the test's blob");
            batch.commit();
        }
        assertThat(layout.hasBlob(d)).isTrue();
        assertThat(layout.readBlob(d)).isEqualTo(content);
    }

    @Test
    void aDigestCannotNameAPathOutsideTheStore() {
        OciLayout layout = OciLayout.open(root);
        assertThatThrownBy(() -> layout.hasBlob(Digest.parse("sha256:../../etc/passwd"))).isInstanceOf(UserException.class);
    }

    @Test
    void tagResolveListAndRemove() {
        OciLayout layout = OciLayout.open(root);
        Descriptor a = layout.putBlob(new byte[] {1}, RAW);
        Descriptor b = layout.putBlob(new byte[] {2}, RAW);
        Reference ref = Reference.parse("hello:1.0");
        layout.tag(ref, a);
        layout.tag(ref, b);
        layout.tag(Reference.parse("other"), a);
        assertThat(layout.resolve(ref)).get().extracting(Descriptor::digest).isEqualTo(b.digest());
        assertThat(layout.resolve(Reference.parse("hello@" + a.digest()))).get()
                .extracting(Descriptor::digest).isEqualTo(a.digest());
        assertThat(layout.list()).extracting(d -> d.annotations().get(OciLayout.REF_NAME))
                .containsExactly("unikraft.org/hello:1.0", "unikraft.org/other:latest");
        assertThat(layout.remove(ref)).isTrue();
        assertThat(layout.remove(ref)).isFalse();
        assertThat(layout.resolve(ref)).isEmpty();
    }

    @Test
    void taggingKeepsWhatAnotherToolWroteInIndexJson() throws Exception {
        OciLayout layout = OciLayout.open(root);
        Descriptor a = layout.putBlob(new byte[] {1}, RAW);
        Files.writeString(root.resolve("index.json"), """
                {"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json",
                 "manifests":[{"mediaType":"application/octet-stream","digest":"%s","size":1,
                               "annotations":{"org.opencontainers.image.ref.name":"unikraft.org/theirs:1"},
                               "urls":["https://mirror.example/x"]}],
                 "annotations":{"com.example.written-by":"another tool"},
                 "x-tool":{"version":3}}""".formatted(a.digest()));

        layout.tag(Reference.parse("mine"), a);

        var index = new ObjectMapper().readTree(root.resolve("index.json").toFile());
        assertThat(index.path("annotations").path("com.example.written-by").asText()).isEqualTo("another tool");
        assertThat(index.path("x-tool").path("version").asInt()).isEqualTo(3);
        assertThat(index.path("manifests")).hasSize(2);
        assertThat(index.path("manifests").get(0).path("urls").get(0).asText()).isEqualTo("https://mirror.example/x");
        assertThat(layout.list()).extracting(d -> d.annotations().get(OciLayout.REF_NAME))
                .containsExactly("unikraft.org/theirs:1", "unikraft.org/mine:latest");
    }

    @Test
    void concurrentTaggingKeepsEveryTag() throws Exception {
        int perThread = 40;
        CyclicBarrier start = new CyclicBarrier(2);
        try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
            Future<?> one = pool.submit(() -> tagMany(OciLayout.open(root), "one", perThread, start));
            Future<?> two = pool.submit(() -> tagMany(OciLayout.open(root), "two", perThread, start));
            one.get();
            two.get();
        }
        assertThat(OciLayout.open(root).list()).hasSize(2 * perThread);
    }

    private static Void tagMany(OciLayout layout, String prefix, int n, CyclicBarrier start) throws Exception {
        start.await();
        for (int i = 0; i < n; i++) {
            Descriptor d = layout.putBlob((prefix + i).getBytes(StandardCharsets.UTF_8), RAW);
            layout.tag(Reference.parse(prefix + ":" + i), d);
        }
        return null;
    }

    @Test
    void aStrayTemporaryFileIsIgnoredAndPrunedOnceOld() throws Exception {
        OciLayout layout = OciLayout.open(root);
        Path stray = root.resolve("tmp/blob-123.tmp");
        Files.writeString(stray, "half a kernel");
        assertThat(layout.list()).isEmpty();
        assertThat(layout.prune()).isZero();
        assertThat(stray).exists();
        Files.setLastModifiedTime(stray, FileTime.from(Instant.now().minus(Duration.ofHours(1))));
        assertThat(layout.prune()).isEqualTo("half a kernel".length());
        assertThat(stray).doesNotExist();
    }

    @Test
    void pruneRemovesOnlyBlobsNoTagReaches() throws Exception {
        OciLayout layout = OciLayout.open(root);
        Descriptor layer = layout.putBlob("layer".getBytes(StandardCharsets.UTF_8), ImagePacker.LAYER_MEDIA_TYPE);
        Descriptor config = layout.putBlob("{}".getBytes(StandardCharsets.UTF_8), ImagePacker.CONFIG_MEDIA_TYPE);
        String manifestJson = "{\"schemaVersion\":2,\"config\":" + new ObjectMapper().writeValueAsString(config)
                + ",\"layers\":[" + new ObjectMapper().writeValueAsString(layer) + "]}";
        Descriptor manifest = layout.putBlob(manifestJson.getBytes(StandardCharsets.UTF_8), OciLayout.MANIFEST_MEDIA_TYPE);
        String indexJson = "{\"schemaVersion\":2,\"manifests\":[" + new ObjectMapper().writeValueAsString(manifest) + "]}";
        Descriptor index = layout.putBlob(indexJson.getBytes(StandardCharsets.UTF_8), OciLayout.INDEX_MEDIA_TYPE);
        Descriptor orphan = layout.putBlob("orphan!".getBytes(StandardCharsets.UTF_8), RAW);
        layout.tag(Reference.parse("hello"), index);

        assertThat(layout.prune(Duration.ZERO)).isEqualTo(7);
        assertThat(layout.hasBlob(orphan.digest())).isFalse();
        for (Descriptor kept : new Descriptor[] {layer, config, manifest, index}) {
            assertThat(layout.hasBlob(kept.digest())).as(kept.mediaType()).isTrue();
        }
        layout.remove(Reference.parse("hello"));
        layout.prune(Duration.ZERO);
        try (var files = Files.list(root.resolve("blobs/sha256"))) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void openBlobOfAMissingBlobSaysSo() {
        OciLayout layout = OciLayout.open(root);
        Descriptor d = new Descriptor(RAW, Digest.parse("sha256:" + "0".repeat(64)), 1);
        assertThatThrownBy(() -> {
            try (InputStream in = layout.openBlob(d)) {
                in.readAllBytes();
            }
        }).isInstanceOf(UserException.class).hasMessageContaining("missing");
    }
}
