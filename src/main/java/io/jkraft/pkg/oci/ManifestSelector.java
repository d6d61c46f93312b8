package io.jkraft.pkg.oci;

import io.jkraft.common.UserException;
import java.util.ArrayList;
import java.util.List;

/** Picks, from an image in the store, the manifest built for a platform and architecture. */
public final class ManifestSelector {
    private final OciLayout layout;

    public ManifestSelector(OciLayout layout) {
        this.layout = layout;
    }

    /**
     * The manifest of {@code ref} for {@code plat}/{@code arch}; null for either means any.
     * An image tagged as a single manifest (no index) matches when its config's platform does.
     */
    public Descriptor select(Reference ref, String plat, String arch) {
        Descriptor top = layout.resolve(ref).orElseThrow(() -> new UserException(
                "no image " + ref + " in the image store " + layout.root(),
                "pack it first, or pull it"));
        List<Descriptor> candidates = new ArrayList<>();
        if (OciLayout.isIndex(top.mediaType())) {
            candidates.addAll(layout.readIndex(top).manifests());
        } else {
            candidates.add(top.platform() != null ? top : top.with(top.annotations(), platformOf(top)));
        }
        for (Descriptor d : candidates) {
            ImagePlatform p = d.platform();
            if (p != null && (plat == null || plat.equals(p.os())) && (arch == null || arch.equals(p.architecture()))) {
                return d;
            }
        }
        List<String> available = candidates.stream()
                .map(d -> d.platform() == null ? "(no platform)" : d.platform().platArch()).toList();
        throw new UserException("image " + ref + " has no kernel for " + (plat == null ? "*" : plat) + "/"
                + (arch == null ? "*" : arch) + "; it has " + String.join(", ", available),
                "choose one of those with --plat and --arch");
    }

    private ImagePlatform platformOf(Descriptor manifest) {
        return layout.readConfig(layout.readManifest(manifest).config()).platform();
    }
}
