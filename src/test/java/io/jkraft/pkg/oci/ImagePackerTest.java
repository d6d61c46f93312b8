package io.jkraft.pkg.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jkraft.common.Architecture;
import io.jkraft.common.UserException;
import io.jkraft.kraftfile.Target;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImagePackerTest {
    @TempDir
    Path dir;

    private final ObjectMapper mapper = new ObjectMapper();

    private PackRequest twoTargets(Path work, boolean dbg) throws Exception {
        Files.createDirectories(work);
        Path qemu = Files.writeString(work.resolve("hello_qemu-x86_64"), "qemu kernel");
        Files.setPosixFilePermissions(qemu, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path qemuDbg = Files.writeString(work.resolve("hello_qemu-x86_64.dbg"), "qemu kernel with symbols");
        Path fc = Files.writeString(work.resolve("hello_fc-arm64"), "fc kernel");
        Path initrd = Files.writeString(work.resolve("initrd.cpio"), "cpio");
        Map<String, String> kconfig = Map.of("CONFIG_LIBUKDEBUG", "y", "CONFIG_UK_APP", "/home/me/app",
                "CONFIG_PLAT_KVM", "y");
        return new PackRequest(Reference.parse("acme/hello:1.0"), List.of(
                new PackTarget(new Target("hello", io.jkraft.common.Platform.QEMU, Architecture.X86_64, null, Map.of()), qemu, qemuDbg, initrd,
                        "0.18.0", kconfig),
                new PackTarget(new Target("hello", io.jkraft.common.Platform.FC, Architecture.ARM64, null, Map.of()), fc, null, null, "0.18.0",
                        Map.of("CONFIG_PLAT_FC", "y"))),
                List.of("-h", "world"), List.of("GREETING=hi"), Map.of("org.example.team", "acme"), dbg);
    }

    private JsonNode json(OciLayout layout, Descriptor d) throws Exception {
        return mapper.readTree(layout.readBlob(d));
    }

    private Descriptor descriptor(JsonNode node) throws Exception {
        return mapper.treeToValue(node, Descriptor.class);
    }

    @Test
    void twoTargetsMakeOneIndexWithAManifestEachAsKraftWritesIt() throws Exception {
        OciLayout layout = OciLayout.open(dir.resolve("store"));
        Descriptor index = new ImagePacker(layout).pack(twoTargets(dir.resolve("w"), true));

        assertThat(layout.resolve(Reference.parse("unikraft.org/acme/hello:1.0"))).contains(
                index.with(Map.of(OciLayout.REF_NAME, "unikraft.org/acme/hello:1.0"), null));
        JsonNode idx = json(layout, index);
        assertThat(idx.path("mediaType").asText()).isEqualTo("application/vnd.oci.image.index.v1+json");
        assertThat(idx.path("annotations").path("io.containerd.image.name").asText())
                .isEqualTo("unikraft.org/acme/hello:1.0");
        JsonNode manifests = idx.path("manifests");
        assertThat(manifests).hasSize(2);

        JsonNode qemu = manifests.get(0);
        assertThat(qemu.path("mediaType").asText()).isEqualTo("application/vnd.oci.image.manifest.v1+json");
        assertThat(qemu.path("platform").path("os").asText()).isEqualTo("qemu");
        assertThat(qemu.path("platform").path("architecture").asText()).isEqualTo("x86_64");
        assertThat(qemu.path("platform").path("os.version").asText()).isEqualTo("0.18.0");
        assertThat(mapper.convertValue(qemu.path("platform").path("os.features"), List.class))
                .containsExactly("CONFIG_LIBUKDEBUG=y", "CONFIG_PLAT_KVM=y");
        assertThat(qemu.path("annotations").path("org.unikraft.image.name").asText())
                .isEqualTo("unikraft.org/acme/hello");
        assertThat(qemu.path("annotations").path("org.unikraft.kernel.version").asText()).isEqualTo("0.18.0");
        assertThat(manifests.get(1).path("platform").path("os").asText()).isEqualTo("fc");
        assertThat(manifests.get(1).path("platform").path("architecture").asText()).isEqualTo("arm64");

        JsonNode manifest = json(layout, descriptor(qemu));
        assertThat(manifest.path("annotations").path("org.unikraft.image.name").asText())
                .isEqualTo("unikraft.org/acme/hello");
        JsonNode layers = manifest.path("layers");
        assertThat(layers).hasSize(3);
        for (JsonNode l : layers) {
            assertThat(l.path("mediaType").asText()).isEqualTo("application/vnd.oci.image.layer.v1.tar");
        }
        assertThat(layers.get(0).path("annotations").path("org.unikraft.kernel.image").asText())
                .isEqualTo("/unikraft/bin/kernel");
        assertThat(layers.get(2).path("annotations").path("org.unikraft.kernel.initrd").asText())
                .isEqualTo("/unikraft/bin/initrd");

        List<TarArchiveEntry> kernelTar = new ArrayList<>();
        byte[] tarBytes = layout.readBlob(descriptor(layers.get(0)));
        try (var tar = new TarArchiveInputStream(new ByteArrayInputStream(tarBytes))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                kernelTar.add(e);
                assertThat(new String(tar.readAllBytes())).isEqualTo("qemu kernel");
            }
        }
        assertThat(kernelTar).singleElement().satisfies(e -> {
            assertThat(e.getName()).isEqualTo("unikraft/bin/kernel");
            assertThat(e.getLongUserId()).isZero();
            assertThat(e.getLongGroupId()).isZero();
            assertThat(e.getModTime().getTime()).isZero();
            assertThat(e.getMode()).isEqualTo(0755);
        });

        JsonNode config = json(layout, descriptor(manifest.path("config")));
        assertThat(manifest.path("config").path("mediaType").asText())
                .isEqualTo("application/vnd.oci.image.config.v1+json");
        assertThat(mapper.convertValue(config.path("config").path("Cmd"), List.class)).containsExactly("-h", "world");
        assertThat(mapper.convertValue(config.path("config").path("Env"), List.class)).containsExactly("GREETING=hi");
        assertThat(config.path("config").path("Labels").path("org.example.team").asText()).isEqualTo("acme");
        assertThat(config.path("architecture").asText()).isEqualTo("x86_64");
        assertThat(config.path("os").asText()).isEqualTo("qemu");
        assertThat(config.path("rootfs").path("diff_ids")).hasSize(3);
    }

    @Test
    void packingTheSameInputsTwiceGivesTheSameIndex() throws Exception {
        OciLayout one = OciLayout.open(dir.resolve("one"));
        OciLayout two = OciLayout.open(dir.resolve("two"));
        Descriptor a = new ImagePacker(one).pack(twoTargets(dir.resolve("w1"), false));
        Descriptor b = new ImagePacker(two).pack(twoTargets(dir.resolve("w2"), false));
        assertThat(a.digest()).isEqualTo(b.digest());
        Descriptor withDbg = new ImagePacker(one).pack(twoTargets(dir.resolve("w1"), true));
        assertThat(withDbg.digest()).isNotEqualTo(a.digest());
    }

    @Test
    void packedImagesUnpackForTheChosenPlatform() throws Exception {
        OciLayout layout = OciLayout.open(dir.resolve("store"));
        new ImagePacker(layout).pack(twoTargets(dir.resolve("w"), true));
        Reference ref = Reference.parse("acme/hello:1.0");
        Descriptor qemu = new ManifestSelector(layout).select(ref, "qemu", "x86_64");
        var image = new ImageUnpacker(layout).unpack(qemu, dir.resolve("out"));
        assertThat(image.kernel()).hasContent("qemu kernel");
        assertThat(image.initrd()).hasContent("cpio");
        assertThat(dir.resolve("out/unikraft/bin/kernel.dbg")).hasContent("qemu kernel with symbols");
        assertThat(image.cmd()).containsExactly("-h", "world");
        assertThat(image.env()).containsExactly("GREETING=hi");
        assertThat(Files.isExecutable(image.kernel())).isTrue();

        Descriptor fc = new ManifestSelector(layout).select(ref, "fc", null);
        assertThat(new ImageUnpacker(layout).unpack(fc, dir.resolve("fc")).kernel()).hasContent("fc kernel");
    }

    @Test
    void aMissingPlatformListsTheOnesThereAre() throws Exception {
        OciLayout layout = OciLayout.open(dir.resolve("store"));
        new ImagePacker(layout).pack(twoTargets(dir.resolve("w"), false));
        assertThatThrownBy(() -> new ManifestSelector(layout).select(Reference.parse("acme/hello:1.0"), "xen", "x86_64"))
                .isInstanceOf(UserException.class)
                .hasMessageContaining("no kernel for xen/x86_64").hasMessageContaining("qemu/x86_64, fc/arm64");
        assertThatThrownBy(() -> new ManifestSelector(layout).select(Reference.parse("acme/other"), null, null))
                .isInstanceOf(UserException.class).hasMessageContaining("no image unikraft.org/acme/other:latest");
    }

    @Test
    void twoTargetsOfOnePlatformAreRefused() throws Exception {
        OciLayout layout = OciLayout.open(dir.resolve("store"));
        Path k = Files.writeString(dir.resolve("k"), "k");
        Target t = new Target("a", io.jkraft.common.Platform.QEMU, Architecture.X86_64, null, Map.of());
        PackTarget p = new PackTarget(t, k, null, null, null, Map.of());
        assertThatThrownBy(() -> new ImagePacker(layout).pack(new PackRequest(Reference.parse("x"), List.of(p, p),
                null, null, null, false))).isInstanceOf(UserException.class).hasMessageContaining("qemu/x86_64");
    }
}
