package io.jkraft.pkg.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jkraft.common.Architecture;
import io.jkraft.common.UserException;
import io.jkraft.kraftfile.Target;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Layers crafted by hand, as a hostile registry could serve them. */
class ImageUnpackerTest {
    @TempDir
    Path dir;

    private final ObjectMapper mapper = new ObjectMapper();

    private record Entry(String name, byte type, String link, String content) {
        static Entry file(String name, String content) {
            return new Entry(name, TarConstants.LF_NORMAL, null, content);
        }
    }

    private static byte[] tar(Entry... entries) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(bytes)) {
            for (Entry e : entries) {
                TarArchiveEntry t = new TarArchiveEntry(e.name(), e.type(), true);
                if (e.link() != null) {
                    t.setLinkName(e.link());
                }
                byte[] content = e.content() == null ? new byte[0] : e.content().getBytes(StandardCharsets.UTF_8);
                t.setSize(e.type() == TarConstants.LF_NORMAL ? content.length : 0);
                t.setMode(0644);
                out.putArchiveEntry(t);
                if (e.type() == TarConstants.LF_NORMAL) {
                    out.write(content);
                }
                out.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    private Descriptor manifestWith(OciLayout layout, byte[] layerTar) {
        Descriptor layer = layout.putBlob(layerTar, ImagePacker.LAYER_MEDIA_TYPE);
        Descriptor config = layout.putBlob("{\"architecture\":\"x86_64\",\"os\":\"qemu\",\"config\":{}}"
                .getBytes(StandardCharsets.UTF_8), ImagePacker.CONFIG_MEDIA_TYPE);
        ObjectNode m = mapper.createObjectNode();
        m.put("schemaVersion", 2);
        m.set("config", mapper.valueToTree(config));
        m.putArray("layers").add(mapper.<JsonNode>valueToTree(layer));
        return layout.putBlob(m.toString().getBytes(StandardCharsets.UTF_8), OciLayout.MANIFEST_MEDIA_TYPE);
    }

    private void assertRefused(String why, Entry... entries) throws Exception {
        OciLayout layout = OciLayout.open(dir.resolve("store"));
        Path dest = dir.resolve("jail/out");
        Descriptor manifest = manifestWith(layout, tar(entries));
        Files.createDirectories(dir.resolve("jail"));
        List<Path> before = outside(dest);
        assertThatThrownBy(() -> new ImageUnpacker(layout).unpack(manifest, dest))
                .isInstanceOf(UserException.class).hasMessageContaining("refusing").hasMessageContaining(why);
        assertThat(outside(dest)).isEqualTo(before);
    }

    /** Everything in the jail but the destination, so that a write beside it shows. */
    private List<Path> outside(Path dest) throws Exception {
        try (Stream<Path> all = Files.walk(dir.resolve("jail"))) {
            return all.filter(p -> !p.startsWith(dest)).sorted().toList();
        }
    }

    @Test
    void dotDotIsRefused() throws Exception {
        assertRefused("'..'", Entry.file("unikraft/../../evil", "x"));
    }

    @Test
    void anAbsoluteNameIsRefused() throws Exception {
        assertRefused("absolute", Entry.file("/abs", "x"));
    }

    @Test
    void aFileThroughASymlinkOutOfTheImageIsRefused() throws Exception {
        Path outside = Files.createDirectories(dir.resolve("jail/etc"));
        assertRefused("outside the image",
                new Entry("unikraft/etc", TarConstants.LF_SYMLINK, outside.toString(), null),
                Entry.file("unikraft/etc/passwd", "owned"));
        assertThat(outside.resolve("passwd")).doesNotExist();
    }

    @Test
    void aRelativeSymlinkClimbingOutIsRefused() throws Exception {
        assertRefused("outside the image",
                new Entry("up", TarConstants.LF_SYMLINK, "../..", null), Entry.file("up/evil", "x"));
    }

    @Test
    void aFileThroughAnInsideSymlinkIsRefusedToo() throws Exception {
        assertRefused("through the link",
                new Entry("unikraft", TarConstants.LF_DIR, null, null),
                new Entry("here", TarConstants.LF_SYMLINK, "unikraft", null),
                Entry.file("here/kernel", "x"));
    }

    @Test
    void aHardLinkToAFileOutsideIsRefused() throws Exception {
        Files.createDirectories(dir.resolve("jail"));
        Files.writeString(dir.resolve("jail/secret"), "s");
        assertRefused("'..'", new Entry("unikraft/bin/kernel", TarConstants.LF_LINK, "../secret", null));
    }

    @Test
    void aTamperedLayerIsCaughtBeforeAnythingIsWritten() throws Exception {
        OciLayout layout = OciLayout.open(dir.resolve("store"));
        Path kernel = Files.writeString(dir.resolve("kernel"), "kernel");
        new ImagePacker(layout).pack(new PackRequest(Reference.parse("hello"), List.of(new PackTarget(
                new Target(null, io.jkraft.common.Platform.QEMU, Architecture.X86_64, null, Map.of()), kernel, null, null, "0.18.0", Map.of())),
                null, null, null, false));
        Descriptor manifest = new ManifestSelector(layout).select(Reference.parse("hello"), "qemu", "x86_64");
        String layerDigest = layout.readManifest(manifest).layers().get(0).digest().toString();
        Path blob = dir.resolve("store/blobs/sha256/" + layerDigest.substring(7));
        byte[] content = Files.readAllBytes(blob);
        int at = new String(content, StandardCharsets.ISO_8859_1).indexOf("kernel", 512);
        content[at] = 'K';
        Files.write(blob, content);

        Path dest = dir.resolve("out");
        assertThatThrownBy(() -> new ImageUnpacker(layout).unpack(manifest, dest))
                .isInstanceOf(UserException.class).hasMessageContaining(layerDigest).hasMessageContaining("corrupt");
        try (Stream<Path> all = Files.walk(dest)) {
            assertThat(all).containsExactly(dest);
        }
    }
}
