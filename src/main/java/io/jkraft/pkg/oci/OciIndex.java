package io.jkraft.pkg.oci;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An OCI image index (or Docker manifest list): an image's manifests, or the store's {@code index.json}.
 *
 * @param manifests   never null
 * @param annotations never null; sorted, as KraftKit's Go writes a map
 * @param unknown     fields of another tool's document (artifactType, subject), written back as read
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"schemaVersion", "mediaType", "manifests", "annotations"})
public record OciIndex(
        int schemaVersion,
        String mediaType,
        List<Descriptor> manifests,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> annotations,
        @JsonAnySetter @JsonAnyGetter Map<String, JsonNode> unknown) {

    public OciIndex {
        manifests = manifests == null ? List.of() : List.copyOf(manifests);
        annotations = annotations == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(annotations));
        unknown = OciJson.keep(unknown);
    }

    /** A new OCI index of {@code manifests}. */
    public static OciIndex of(List<Descriptor> manifests, Map<String, String> annotations) {
        return new OciIndex(2, OciLayout.INDEX_MEDIA_TYPE, manifests, annotations, null);
    }

    /** This index listing {@code newManifests} instead, everything else as it was. */
    public OciIndex withManifests(List<Descriptor> newManifests) {
        return new OciIndex(schemaVersion, mediaType, newManifests, annotations, unknown);
    }
}
