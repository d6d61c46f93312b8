package io.jkraft.pkg.oci;

import io.jkraft.common.UserException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Packs built targets into one OCI image index in the layout KraftKit writes (its oci/pack.go,
 * oci/manifest.go, oci/index.go): one manifest per target whose platform is the Unikraft
 * plat/arch, one uncompressed tar layer per file under {@code /unikraft/bin/}, and the annotations
 * kraft reads back. Unlike kraft it writes no creation time, so the same inputs give the same digest.
 */
public final class ImagePacker {
    public static final String LAYER_MEDIA_TYPE = "application/vnd.oci.image.layer.v1.tar";
    public static final String CONFIG_MEDIA_TYPE = "application/vnd.oci.image.config.v1+json";
    public static final String KERNEL_PATH = "/unikraft/bin/kernel";
    public static final String KERNEL_DBG_PATH = "/unikraft/bin/kernel.dbg";
    public static final String INITRD_PATH = "/unikraft/bin/initrd";
    public static final String ANNOTATION_NAME = "org.unikraft.image.name";
    public static final String ANNOTATION_KERNEL_VERSION = "org.unikraft.kernel.version";
    public static final String ANNOTATION_KERNEL_PATH = "org.unikraft.kernel.image";
    public static final String ANNOTATION_INITRD_PATH = "org.unikraft.kernel.initrd";
    public static final String ANNOTATION_CONTAINERD_NAME = "io.containerd.image.name";

    /** kraft leaves these out of os.features: they name the build host's app, not the kernel's abilities. */
    private static final Set<String> HOST_SPECIFIC = Set.of("CONFIG_UK_APP", "CONFIG_UK_BASE");

    private final OciLayout layout;

    public ImagePacker(OciLayout layout) {
        this.layout = layout;
    }

    /** Packs the request, tags it with its reference (replacing an earlier image of that name) and returns the index. */
    public Descriptor pack(PackRequest request) {
        if (request.targets().isEmpty()) {
            throw new UserException("nothing to pack for " + request.reference() + ": no target was given");
        }
        Set<String> seen = new HashSet<>();
        for (PackTarget t : request.targets()) {
            if (!seen.add(t.target().platArch())) {
                throw new UserException("two targets of " + request.reference() + " are both "
                        + t.target().platArch() + "; an image holds one kernel per platform",
                        "select one of them with -t");
            }
        }
        Reference ref = request.reference();
        List<Descriptor> manifests = new ArrayList<>();
        for (PackTarget t : request.targets()) {
            manifests.add(packTarget(request, t));
        }
        OciIndex index = OciIndex.of(manifests, refAnnotations(ref));
        Descriptor stored = layout.putBlob(OciJson.bytes(index), OciLayout.INDEX_MEDIA_TYPE);
        layout.tag(ref, stored);
        return stored;
    }

    private Descriptor packTarget(PackRequest request, PackTarget t) {
        if (t.kernel() == null || !Files.isRegularFile(t.kernel())) {
            throw new UserException("the kernel of target " + t.target().platArch() + " is missing: " + t.kernel(),
                    "build the project first");
        }
        List<Descriptor> layers = new ArrayList<>();
        layers.add(layer(t.kernel(), KERNEL_PATH, Map.of(ANNOTATION_KERNEL_PATH, KERNEL_PATH)));
        if (request.includeDebug() && t.debug() != null) {
            // kraft's pack.go tars Kernel() here, not KernelDbg(), so its kernel.dbg is the stripped kernel;
            // the unstripped file is what the option asks for, and that is what is packed here
            layers.add(layer(t.debug(), KERNEL_DBG_PATH, Map.of()));
        }
        if (t.initrd() != null) {
            layers.add(layer(t.initrd(), INITRD_PATH, Map.of(ANNOTATION_INITRD_PATH, INITRD_PATH)));
        }
        String version = t.kernelVersion() == null ? "" : t.kernelVersion();
        ImagePlatform platform = new ImagePlatform(t.target().platform().kraftName(), t.target().architecture().kraftName(), version,
                features(t.kconfig()));

        Descriptor config = layout.putBlob(OciJson.bytes(config(request, platform, layers)), CONFIG_MEDIA_TYPE);

        Map<String, String> annotations = new TreeMap<>(refAnnotations(request.reference()));
        annotations.put(ANNOTATION_NAME, request.reference().name());
        if (!version.isEmpty()) {
            annotations.put(ANNOTATION_KERNEL_VERSION, version);
        }
        OciManifest manifest = OciManifest.of(config, layers, annotations);
        Descriptor stored = layout.putBlob(OciJson.bytes(manifest), OciLayout.MANIFEST_MEDIA_TYPE);
        // kraft copies the manifest's annotations onto its descriptor in the index, beside the platform
        return stored.with(annotations, platform);
    }

    /** The annotations kraft puts on both the index and every manifest. */
    private static Map<String, String> refAnnotations(Reference ref) {
        Map<String, String> a = new TreeMap<>();
        a.put(OciLayout.REF_NAME, ref.name());
        a.put(ANNOTATION_CONTAINERD_NAME, ref.toString());
        return a;
    }

    private static ImageConfig config(PackRequest request, ImagePlatform platform, List<Descriptor> layers) {
        // the layers are uncompressed, so each diff ID is the layer's own digest
        return ImageConfig.of(platform, new ImageConfig.Execution(request.env(), request.cmd(), request.labels(), null),
                layers.stream().map(Descriptor::digest).toList());
    }

    /** CONFIG_X=value strings, sorted so that equal configurations give equal platforms. */
    static List<String> features(Map<String, String> kconfig) {
        List<String> features = new ArrayList<>();
        new TreeMap<>(kconfig).forEach((k, v) -> {
            if (!HOST_SPECIFIC.contains(k)) {
                features.add(k + "=" + v);
            }
        });
        return features;
    }

    /**
     * A tar holding one file, as kraft's archive.TarFileWriter makes it: the path without its leading
     * slash, owner 0:0 without names, the file's permission bits, and times stripped.
     */
    private Descriptor layer(Path file, String dest, Map<String, String> annotations) {
        Path tar = null;
        try {
            tar = Files.createTempFile(layout.root().resolve("tmp"), "layer-", ".tar");
            try (OutputStream out = Files.newOutputStream(tar);
                 TarArchiveOutputStream tw = new TarArchiveOutputStream(out)) {
                tw.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                TarArchiveEntry entry = new TarArchiveEntry(dest.substring(1), true);
                entry.setSize(Files.size(file));
                // Go's tar.FileInfoHeader keeps only the permission bits; the type is in the type flag
                entry.setMode(permissions(file));
                entry.setModTime(0);
                entry.setIds(0, 0);
                entry.setUserName("");
                entry.setGroupName("");
                tw.putArchiveEntry(entry);
                Files.copy(file, tw);
                tw.closeArchiveEntry();
                tw.finish();
            }
            return layout.putBlob(tar, LAYER_MEDIA_TYPE).with(annotations, null);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot pack " + file, e);
        } finally {
            if (tar != null) {
                try {
                    Files.deleteIfExists(tar);
                } catch (IOException ignored) {
                    // left for prune
                }
            }
        }
    }

    private static int permissions(Path file) throws IOException {
        int mode = 0;
        for (PosixFilePermission p : Files.getPosixFilePermissions(file)) {
            mode |= 1 << (8 - p.ordinal());
        }
        return mode;
    }
}
