package io.jkraft.index;

import io.jkraft.common.Digest;
import io.jkraft.common.UserException;
import io.jkraft.source.ArchiveOrigin;
import io.jkraft.source.GitOrigin;
import io.jkraft.source.Origin;
import io.jkraft.source.OriginResolver;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * One resource of a manifest chosen by channel or version, and the origin to fetch it from.
 *
 * @param manifest the component
 * @param label    the channel's name or the version
 * @param resource the archive or git URL
 * @param sha256   the archive's expected digest, or null
 */
public record Selection(Manifest manifest, String label, String resource, Digest sha256) {

    /**
     * The resource a channel or version names: a channel of that name, else a version (or the core version
     * a version goes with); with neither, the default channel, else the highest version.
     */
    static Optional<Selection> of(Manifest m, String wanted) {
        if (wanted == null || wanted.equals("latest")) {
            return m.defaultChannel().map(c -> channel(m, c))
                    .or(() -> m.highestVersion().map(v -> version(m, v)));
        }
        return m.channel(wanted).map(c -> channel(m, c))
                .or(() -> m.version(wanted).map(v -> version(m, v)));
    }

    private static Selection channel(Manifest m, Channel c) {
        return new Selection(m, c.name(), c.resource(), c.sha256());
    }

    private static Selection version(Manifest m, ManifestVersion v) {
        return new Selection(m, v.version(), v.resource(), v.sha256());
    }

    /** The channel/version, or a message naming what there is. */
    static Selection require(Manifest m, String wanted) {
        return of(m, wanted).orElseThrow(() -> {
            List<String> channels = m.channels().stream().map(Channel::name).toList();
            List<String> versions = m.versionsDescending().stream().map(ManifestVersion::version).toList();
            String has = "channels: " + (channels.isEmpty() ? "none" : String.join(", ", channels))
                    + "; versions: " + (versions.isEmpty() ? "none" : String.join(", ", versions));
            return new UserException(wanted == null
                    ? m.qualifiedName() + " has no default channel and no versions in the index"
                    : m.qualifiedName() + " has no channel or version '" + wanted + "' in the index (" + has + ")",
                    "name one of them, e.g. " + m.name() + (channels.isEmpty() ? "" : ":" + channels.getFirst()));
        });
    }

    /**
     * A git resource is fetched at the ref its URL names ({@code ?branch=}), else at the channel or version
     * name; an archive is checked against the index's digest.
     */
    public Origin origin() {
        String what = manifest.qualifiedName() + " (" + label + ")";
        Origin o = OriginResolver.fromSource(resource, label, what, Path.of("").toAbsolutePath());
        return switch (o) {
            case ArchiveOrigin a when sha256 != null && a.sha256() == null -> new ArchiveOrigin(a.url(), sha256);
            case ArchiveOrigin a when sha256 != null && !sha256.equals(a.sha256()) -> throw new UserException(
                    what + ": the index gives two different SHA-256 digests for " + a.url(),
                    "fix the manifest: keep the sha256 field or the ?sha256= of the resource, not both");
            case GitOrigin g -> g;
            default -> o;
        };
    }
}
