package io.jkraft.pkg;

import io.jkraft.build.BuildResult;
import io.jkraft.build.BuildService;
import io.jkraft.common.Architecture;
import io.jkraft.common.FileTrees;
import io.jkraft.common.Platform;
import io.jkraft.common.UserException;
import io.jkraft.initrd.RootfsInitrd;
import io.jkraft.kconfig.DotConfig;
import io.jkraft.kraftfile.Kraftfile;
import io.jkraft.pkg.oci.Descriptor;
import io.jkraft.pkg.oci.ImagePacker;
import io.jkraft.pkg.oci.ImageUnpacker;
import io.jkraft.pkg.oci.ManifestSelector;
import io.jkraft.pkg.oci.OciLayout;
import io.jkraft.pkg.oci.PackRequest;
import io.jkraft.pkg.oci.PackTarget;
import io.jkraft.pkg.oci.Reference;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The local half of `jkraft pkg`: packs built projects into the OCI store, lists, removes and prunes its
 * images, and unpacks one for `run` ({@link ImageResolver}). Registries are not spoken to.
 */
public final class PackageService {
    private final BuildService builds;
    private final Path storeDir;
    private final Path cacheDir;
    private final Path workingDir;

    /**
     * @param storeDir the OCI layout ({@code $XDG_DATA_HOME/jkraft/oci})
     * @param cacheDir jkraft's cache folder; unpacked images and packed rootfs archives go below it
     */
    public PackageService(BuildService builds, Path storeDir, Path cacheDir, Path workingDir) {
        this.builds = builds;
        this.storeDir = storeDir;
        this.cacheDir = cacheDir;
        this.workingDir = workingDir;
    }

    /** Where the images live; opened on use so that a command that only fails early creates nothing. */
    OciLayout layout() {
        return OciLayout.open(storeDir);
    }

    /** Builds the selected targets and packs them as one image tagged {@code reference}; returns the index. */
    public Descriptor pack(PackRequestOptions o) {
        // parsed before building, so that a typo in the name does not cost a build first
        Reference ref = Reference.parse(o.reference());
        for (String e : o.env()) {
            if (e.indexOf('=') <= 0) {
                throw new UserException("-e " + e + ": an image's environment variable needs NAME=value",
                        "write -e NAME=value");
            }
        }
        Kraftfile kf = builds.kraftfile(o.build());
        Path rootfs = o.rootfs() != null ? workingDir.resolve(o.rootfs()) : kf.rootfs() == null
                || kf.rootfs().isBlank() ? null : kf.projectDir().resolve(kf.rootfs());
        if (rootfs != null) {
            RootfsInitrd.check(rootfs); // before building, so that a mistyped path does not cost a build first
        }
        Path initrd = null;
        List<PackTarget> targets = new ArrayList<>();
        // A kernel that embeds the rootfs gets it from the build (--rootfs included), and no initrd layer besides.
        for (BuildResult b : builds.build(o.build().withRootfs(o.rootfs() == null ? null : rootfs))) {
            if (!b.embedsInitrd() && initrd == null && rootfs != null) {
                initrd = RootfsInitrd.resolve(rootfs, cacheDir);
            }
            Map<String, String> kconfig = new LinkedHashMap<>();
            if (b.config() != null && Files.isRegularFile(b.config())) {
                // unset options ("# X is not set") are no features of the kernel
                DotConfig.read(b.config()).forEach((k, v) -> {
                    if (!v.equals("n")) {
                        kconfig.put(k, v);
                    }
                });
            }
            String version = unquote(kconfig.get("CONFIG_UK_FULLVERSION"));
            targets.add(new PackTarget(b.target(), b.kernel(), b.debug(), b.embedsInitrd() ? null : initrd,
                    version == null ? "unknown" : version, kconfig));
        }
        List<String> env = new ArrayList<>();
        kf.env().forEach((k, v) -> {
            // an empty Kraftfile value means "the host's at run time", which an image cannot carry
            if (v != null && !v.isEmpty()) {
                env.add(k + "=" + v);
            }
        });
        env.addAll(o.env());
        List<String> cmd = o.args().isEmpty() ? kf.cmd() : o.args();
        return new ImagePacker(layout()).pack(new PackRequest(ref, targets, cmd, env, kf.labels(), o.debug()));
    }

    private static String unquote(String v) {
        if (v != null && v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
            return v.substring(1, v.length() - 1);
        }
        return v;
    }

    /** The tagged images, in the order they were tagged. */
    public List<LocalImage> list() {
        OciLayout layout = layout();
        List<LocalImage> images = new ArrayList<>();
        for (Descriptor top : layout.list()) {
            List<String> platforms = new ArrayList<>();
            long size = top.size();
            List<Descriptor> manifests = layout.manifestsOf(top);
            if (OciLayout.isIndex(top.mediaType())) {
                manifests.forEach(m -> platforms.add(m.platform() == null ? "/" : m.platform().platArch()));
            } else {
                size -= top.size();
            }
            for (Descriptor m : manifests) {
                size += m.size();
                for (Descriptor blob : layout.readManifest(m).blobs()) {
                    size += blob.size();
                }
            }
            images.add(new LocalImage(top.annotations().get(OciLayout.REF_NAME), top.digest(), platforms, size));
        }
        return images;
    }

    /** Untags each reference; the blobs go at the next prune. Unknown references fail before any is removed. */
    public void remove(List<String> references) {
        OciLayout layout = layout();
        List<Reference> refs = references.stream().map(Reference::parse).toList();
        for (Reference r : refs) {
            if (layout.resolve(r).isEmpty()) {
                throw notFound(r);
            }
        }
        refs.forEach(layout::remove);
    }

    /** Deletes the blobs no tag reaches (sparing those younger than {@code grace}); returns bytes freed. */
    public long prune(Duration grace) {
        return layout().prune(grace);
    }

    /** Deletes unreachable blobs, sparing recent ones that a pack in another process may not have tagged yet. */
    public long prune() {
        return layout().prune();
    }

    /** Whether the local store holds an image under this reference. */
    public boolean has(Reference ref) {
        return layout().resolve(ref).isPresent();
    }

    /**
     * Unpacks the manifest of {@code reference} for plat/arch (null: qemu, and this machine's architecture
     * when the image has it, else the first) into a cache folder named by the manifest's digest. The folder
     * appears whole or not at all: it is unpacked beside it and renamed into place.
     */
    public ResolvedImage resolve(Reference ref, Platform plat, Architecture arch) {
        OciLayout layout = layout();
        if (layout.resolve(ref).isEmpty()) {
            throw notFound(ref);
        }
        String p = (plat == null ? Platform.QEMU : plat).kraftName();
        ManifestSelector selector = new ManifestSelector(layout);
        Descriptor manifest;
        if (arch != null) {
            manifest = selector.select(ref, p, arch.kraftName());
        } else {
            try {
                manifest = selector.select(ref, p, Architecture.host().orElse(Architecture.X86_64).kraftName());
            } catch (UserException notForThisMachine) {
                manifest = selector.select(ref, p, null);
            }
        }
        Path images = cacheDir.resolve("images");
        Path dir = images.resolve(manifest.hex());
        Path temp = null;
        try {
            Files.createDirectories(images);
            temp = Files.createTempDirectory(images, ".unpack-");
            ImageUnpacker.UnpackedImage u = new ImageUnpacker(layout).unpack(manifest, temp);
            Path realTemp = temp.toRealPath();
            try {
                Files.move(temp, dir, StandardCopyOption.ATOMIC_MOVE);
                temp = null;
            } catch (IOException unpackedBefore) {
                // renaming onto a folder fails (ENOTEMPTY, reported variously): a run unpacked this digest
                // before, with the same content, so theirs is kept
                if (!Files.isDirectory(dir)) {
                    throw unpackedBefore;
                }
            }
            Path kernel = dir.resolve(realTemp.relativize(u.kernel()));
            Path initrd = u.initrd() == null ? null : dir.resolve(realTemp.relativize(u.initrd()));
            return new ResolvedImage(ref.toString(), manifest.digest(), Platform.parse(u.platform().os()),
                    architectureOf(ref, u.platform().architecture()), kernel, initrd, u.cmd(), u.env());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack " + ref + " into " + images, e);
        } finally {
            if (temp != null) {
                deleteTree(temp);
            }
        }
    }

    /** The architecture an image's manifest names, which a registry may have filled with anything. */
    private static Architecture architectureOf(Reference ref, String name) {
        return Architecture.byName(name).orElseThrow(() -> new UserException("image " + ref
                + " holds a kernel for architecture '" + name + "', which jkraft does not run",
                "choose another kernel of it with -m/--arch"));
    }

    private static void deleteTree(Path root) {
        try {
            FileTrees.deleteRecursively(root);
        } catch (IOException ignored) {
            // a leftover temporary folder wastes space only; its name marks it as one
        }
    }

    static UserException notFound(Reference ref) {
        return new UserException("no image " + ref + " in the local store; `jkraft pkg ls` lists them",
                "pack one with `jkraft pkg -n " + ref + " DIR`");
    }
}
