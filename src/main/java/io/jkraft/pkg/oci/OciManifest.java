package io.jkraft.pkg.oci;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An OCI image manifest (or Docker's v2 manifest): one kernel's config and layers.
 *
 * @param config      never null: a manifest without one names nothing to run
 * @param layers      never null
 * @param annotations never null; sorted, as KraftKit's Go writes a map
 * @param unknown     fields of another tool's document (artifactType, subject), written back as read
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"schemaVersion", "mediaType", "config", "layers", "annotations"})
public record OciManifest(
        int schemaVersion,
        String mediaType,
        Descriptor config,
        List<Descriptor> layers,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> annotations,
        @JsonAnySetter @JsonAnyGetter Map<String, JsonNode> unknown) {

    public OciManifest {
        if (config == null) {
            throw new IllegalArgumentException("an image manifest without a config");
        }
        layers = layers == null ? List.of() : List.copyOf(layers);
        annotations = annotations == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(annotations));
        unknown = OciJson.keep(unknown);
    }

    /** A new OCI image manifest. */
    public static OciManifest of(Descriptor config, List<Descriptor> layers, Map<String, String> annotations) {
        return new OciManifest(2, OciLayout.MANIFEST_MEDIA_TYPE, config, layers, annotations, null);
    }

    /** The config, then the layers: every blob the manifest names. */
    public List<Descriptor> blobs() {
        List<Descriptor> all = new ArrayList<>(layers.size() + 1);
        all.add(config);
        all.addAll(layers);
        return all;
    }
}
