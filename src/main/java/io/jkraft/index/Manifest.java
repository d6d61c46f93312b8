package io.jkraft.index;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * One component of an index, in KraftKit's manifest format.
 *
 * @param name        the component's name ({@code unikraft} for the core, {@code musl} for lib-musl)
 * @param type        what it is
 * @param description a line for people, or null
 * @param origin      where the component's sources live (often its git repository), or null
 * @param provider    kraft's provider name ({@code manifest}, {@code git}, {@code github}...), or null
 * @param channels    moving resources, e.g. {@code stable}
 * @param versions    fixed resources
 * @param source      the index source ({@code pkg source} URL) this manifest came from
 */
public record Manifest(String name, ComponentType type, String description, String origin, String provider,
        List<Channel> channels, List<ManifestVersion> versions, String source) {

    public Manifest {
        channels = List.copyOf(channels);
        versions = List.copyOf(versions);
    }

    /** {@code lib/musl}, {@code core/unikraft}. */
    public String qualifiedName() {
        return type.kraftName() + "/" + name;
    }

    public Optional<Channel> channel(String channelName) {
        return channels.stream().filter(c -> c.name().equals(channelName)).findFirst();
    }

    public Optional<ManifestVersion> version(String v) {
        return versions.stream().filter(x -> x.version().equals(v)).findFirst()
                .or(() -> versions.stream().filter(x -> v.equals(x.unikraft())).findFirst());
    }

    /** The default channel; when none is marked default, the only channel. */
    public Optional<Channel> defaultChannel() {
        return channels.stream().filter(Channel::isDefault).findFirst()
                .or(() -> channels.size() == 1 ? Optional.of(channels.getFirst()) : Optional.empty());
    }

    /** The highest version in semantic-version order. */
    public Optional<ManifestVersion> highestVersion() {
        return versions.stream().max(Comparator.comparing(ManifestVersion::version, SemanticVersion.ORDER));
    }

    /** Versions, highest first. */
    public List<ManifestVersion> versionsDescending() {
        return versions.stream().sorted(Comparator.comparing(ManifestVersion::version, SemanticVersion.ORDER).reversed())
                .toList();
    }
}
