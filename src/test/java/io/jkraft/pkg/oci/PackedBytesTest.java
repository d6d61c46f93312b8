package io.jkraft.pkg.oci;

import static org.assertj.core.api.Assertions.assertThat;

import io.jkraft.common.Architecture;
import io.jkraft.common.Platform;
import io.jkraft.kraftfile.Target;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exact bytes packing writes. An image's digest is computed over them, so a change here changes every
 * image's digest: packing the same project gives a new image, and a registry stores it again.
 */
class PackedBytesTest {
    @TempDir
    Path dir;

    @Test
    void packingWritesTheseBytes() throws Exception {
        OciLayout layout = OciLayout.open(dir.resolve("store"));
        Path kernel = file("kernel", "qemu kernel", "rwxr-xr-x");
        Path dbg = file("kernel.dbg", "qemu kernel with symbols", "rw-r--r--");
        Path initrd = file("initrd", "cpio", "rw-r-----");
        Path fc = file("fc", "fc kernel", "rwx------");
        PackRequest request = new PackRequest(Reference.parse("acme/hello:1.0"), List.of(
                new PackTarget(new Target("hello", Platform.QEMU, Architecture.X86_64, null, Map.of()), kernel, dbg, initrd, "0.18.0",
                        Map.of("CONFIG_LIBUKDEBUG", "y", "CONFIG_UK_APP", "/home/me/app", "CONFIG_PLAT_KVM", "y")),
                new PackTarget(new Target("hello", Platform.FC, Architecture.ARM64, null, Map.of()), fc, null, null, "", Map.of())),
                List.of("-h", "world"), List.of("GREETING=hi"), Map.of("org.example.team", "acme", "a.b", "c"), true);

        Descriptor index = new ImagePacker(layout).pack(request);

        // the index names its manifests by digest, and they their config and layers: this pins every blob
        assertThat(index.digest()).hasToString("sha256:b32d3bc4515487400d44ac443de1f156728cc693766acaf64479e59737d5ff8b");
        assertThat(text(layout, index)).isEqualTo("""
                {"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[\
                {"mediaType":"application/vnd.oci.image.manifest.v1+json",\
                "digest":"sha256:e40d6917f2f1673515dbd3a0ebe35f9ba7e9eb8acfb99b05e694812c055d02b8","size":1058,\
                "annotations":{"io.containerd.image.name":"unikraft.org/acme/hello:1.0",\
                "org.opencontainers.image.ref.name":"unikraft.org/acme/hello",\
                "org.unikraft.image.name":"unikraft.org/acme/hello","org.unikraft.kernel.version":"0.18.0"},\
                "platform":{"architecture":"x86_64","os":"qemu","os.version":"0.18.0",\
                "os.features":["CONFIG_LIBUKDEBUG=y","CONFIG_PLAT_KVM=y"]}},\
                {"mediaType":"application/vnd.oci.image.manifest.v1+json",\
                "digest":"sha256:436e0d5d13affe78962f2e753eb1e08e64b806f57e7e43564246bd991a16f1bd","size":651,\
                "annotations":{"io.containerd.image.name":"unikraft.org/acme/hello:1.0",\
                "org.opencontainers.image.ref.name":"unikraft.org/acme/hello",\
                "org.unikraft.image.name":"unikraft.org/acme/hello"},\
                "platform":{"architecture":"arm64","os":"fc"}}],\
                "annotations":{"io.containerd.image.name":"unikraft.org/acme/hello:1.0",\
                "org.opencontainers.image.ref.name":"unikraft.org/acme/hello"}}""");
        assertThat(blob(layout, "e40d6917f2f1673515dbd3a0ebe35f9ba7e9eb8acfb99b05e694812c055d02b8")).isEqualTo("""
                {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",\
                "config":{"mediaType":"application/vnd.oci.image.config.v1+json",\
                "digest":"sha256:6719c789853e92c36120e18f6a539ea796eeba423533f0416e21d8893825cb43","size":480},\
                "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar",\
                "digest":"sha256:3392f3f03ae81706aaa38504c1e580c359ff917bee4fdca5c870cd8e6449b3c8","size":2048,\
                "annotations":{"org.unikraft.kernel.image":"/unikraft/bin/kernel"}},\
                {"mediaType":"application/vnd.oci.image.layer.v1.tar",\
                "digest":"sha256:8c357484262106ae14dbb17745d4c67fac9b652c84fd58955629dd83f5039e3e","size":2048},\
                {"mediaType":"application/vnd.oci.image.layer.v1.tar",\
                "digest":"sha256:321d7617ed77ba245228ff8aec221cc24f1a48eca8f160d009c7819e0ce08c43","size":2048,\
                "annotations":{"org.unikraft.kernel.initrd":"/unikraft/bin/initrd"}}],\
                "annotations":{"io.containerd.image.name":"unikraft.org/acme/hello:1.0",\
                "org.opencontainers.image.ref.name":"unikraft.org/acme/hello",\
                "org.unikraft.image.name":"unikraft.org/acme/hello","org.unikraft.kernel.version":"0.18.0"}}""");
        assertThat(blob(layout, "6719c789853e92c36120e18f6a539ea796eeba423533f0416e21d8893825cb43")).isEqualTo("""
                {"architecture":"x86_64","os":"qemu","os.version":"0.18.0",\
                "os.features":["CONFIG_LIBUKDEBUG=y","CONFIG_PLAT_KVM=y"],\
                "config":{"Env":["GREETING=hi"],"Cmd":["-h","world"],"Labels":{"a.b":"c","org.example.team":"acme"}},\
                "rootfs":{"type":"layers","diff_ids":[\
                "sha256:3392f3f03ae81706aaa38504c1e580c359ff917bee4fdca5c870cd8e6449b3c8",\
                "sha256:8c357484262106ae14dbb17745d4c67fac9b652c84fd58955629dd83f5039e3e",\
                "sha256:321d7617ed77ba245228ff8aec221cc24f1a48eca8f160d009c7819e0ce08c43"]}}""");
        assertThat(blob(layout, "b8616d149ee14b986718d0c5ea901827870a5457c7903778040ded6a27bc59f1")).isEqualTo("""
                {"architecture":"arm64","os":"fc",\
                "config":{"Env":["GREETING=hi"],"Cmd":["-h","world"],"Labels":{"a.b":"c","org.example.team":"acme"}},\
                "rootfs":{"type":"layers","diff_ids":[\
                "sha256:3109c4081311428c7a1e1cea19a180f1f8323304e4daf5acaa9ab00c3f6415e7"]}}""");
        assertThat(layout.root().resolve("index.json")).hasContent("""
                {
                  "schemaVersion" : 2,
                  "mediaType" : "application/vnd.oci.image.index.v1+json",
                  "manifests" : [ {
                    "mediaType" : "application/vnd.oci.image.index.v1+json",
                    "digest" : "sha256:b32d3bc4515487400d44ac443de1f156728cc693766acaf64479e59737d5ff8b",
                    "size" : 1117,
                    "annotations" : {
                      "org.opencontainers.image.ref.name" : "unikraft.org/acme/hello:1.0"
                    }
                  } ]
                }""");
    }

    @Test
    void aConfigWithoutCommandEnvironmentOrLabelsKeepsAnEmptyConfigObject() throws Exception {
        OciLayout layout = OciLayout.open(dir.resolve("store"));
        Path kernel = file("kernel", "k", "rwxr-xr-x");
        new ImagePacker(layout).pack(new PackRequest(Reference.parse("bare"), List.of(new PackTarget(
                new Target("bare", Platform.XEN, Architecture.X86_64, null, Map.of()), kernel, null, null, null, Map.of())),
                null, null, null, false));
        try (var blobs = Files.list(layout.root().resolve("blobs/sha256"))) {
            assertThat(blobs.map(b -> blob(layout, b.getFileName().toString())).filter(t -> t.contains("rootfs")))
                    .singleElement().asString().startsWith("{\"architecture\":\"x86_64\",\"os\":\"xen\",\"config\":{},");
        }
    }

    private Path file(String name, String content, String mode) throws Exception {
        Path f = Files.writeString(dir.resolve(name), content);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
        return f;
    }

    private static String text(OciLayout layout, Descriptor d) {
        return new String(layout.readBlob(d), StandardCharsets.UTF_8);
    }

    private static String blob(OciLayout layout, String hex) {
        try {
            return Files.readString(layout.root().resolve("blobs/sha256").resolve(hex), StandardCharsets.ISO_8859_1);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
