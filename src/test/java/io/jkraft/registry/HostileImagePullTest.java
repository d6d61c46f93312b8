package io.jkraft.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jkraft.common.UserException;
import io.jkraft.pkg.oci.Descriptor;
import io.jkraft.pkg.oci.ImagePacker;
import io.jkraft.pkg.oci.ImageUnpacker;
import io.jkraft.pkg.oci.OciLayout;
import io.jkraft.pkg.oci.Reference;
import io.jkraft.testing.LocalRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An image whose layers try to write outside the unpack folder, served by a real registry: the pull
 * stores it (its digests are right), and unpacking it for `run` refuses it, writing nothing outside.
 */
@Tag("registry")
class HostileImagePullTest {
    @TempDir
    Path dir;

    private static byte[] tar(String name, byte type, String link) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(bytes)) {
            TarArchiveEntry e = new TarArchiveEntry(name, type, true);
            byte[] content = "pwned".getBytes(StandardCharsets.UTF_8);
            if (link != null) {
                e.setLinkName(link);
            }
            e.setSize(type == TarConstants.LF_NORMAL ? content.length : 0);
            out.putArchiveEntry(e);
            if (type == TarConstants.LF_NORMAL) {
                out.write(content);
            }
            out.closeArchiveEntry();
        }
        return bytes.toByteArray();
    }

    /** Tags, in the local store, a single-manifest image (no index) whose one layer is {@code layerTar}. */
    private static void craft(OciLayout layout, String ref, byte[] layerTar) {
        Descriptor layer = layout.putBlob(layerTar, ImagePacker.LAYER_MEDIA_TYPE);
        Descriptor config = layout.putBlob("{\"architecture\":\"x86_64\",\"os\":\"qemu\",\"config\":{}}"
                .getBytes(StandardCharsets.UTF_8), ImagePacker.CONFIG_MEDIA_TYPE);
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode m = mapper.createObjectNode();
        m.put("schemaVersion", 2);
        m.put("mediaType", OciLayout.MANIFEST_MEDIA_TYPE);
        m.set("config", mapper.valueToTree(config));
        m.putArray("layers").add(mapper.<JsonNode>valueToTree(layer));
        layout.tag(Reference.parse(ref), layout.putBlob(m.toString().getBytes(StandardCharsets.UTF_8),
                OciLayout.MANIFEST_MEDIA_TYPE));
    }

    @Test
    void layersEscapingTheFolderAreRefusedAfterAPull() throws Exception {
        String reason = LocalRegistry.unavailableReason();
        assumeTrue(reason == null, reason);
        try (LocalRegistry registry = LocalRegistry.start(dir)) {
            List<Object[]> cases = List.of(
                    new Object[] {"dotdot", tar("unikraft/../../escaped", TarConstants.LF_NORMAL, null), "'..'"},
                    new Object[] {"absolute", tar("/tmp/escaped", TarConstants.LF_NORMAL, null), "absolute"},
                    new Object[] {"link", tar("unikraft/bin", TarConstants.LF_SYMLINK, "../../.."), "outside the image"});
            for (Object[] c : cases) {
                String ref = registry.address() + "/evil/" + c[0] + ":1";
                OciLayout source = OciLayout.open(dir.resolve("source"));
                craft(source, ref, (byte[]) c[1]);
                service("source").push(ref);

                Descriptor pulled = service("pulled").pull(ref, null, null);
                assertThat(pulled.mediaType()).isEqualTo(OciLayout.MANIFEST_MEDIA_TYPE);
                OciLayout store = OciLayout.open(dir.resolve("pulled"));
                Path jail = Files.createDirectories(dir.resolve("jail-" + c[0]));
                Path dest = jail.resolve("out");
                assertThatThrownBy(() -> new ImageUnpacker(store).unpack(pulled, dest))
                        .isInstanceOf(UserException.class).hasMessageContaining("refusing")
                        .hasMessageContaining((String) c[2]);
                try (var files = Files.walk(jail)) {
                    assertThat(files.filter(p -> !p.startsWith(dest)).toList()).containsExactly(jail);
                }
            }
            assertThat(dir.resolve("escaped")).doesNotExist();
        }
    }

    private RegistryService service(String store) {
        return new RegistryService(dir.resolve(store), new CredentialStore(dir.resolve("auth.json"),
                dir.resolve("docker.json")), List.of(), TransferListener.SILENT, RegistryService.DEFAULT_CHUNK,
                Duration.ofMillis(10));
    }
}
