package io.jkraft.pkg.oci;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import io.jkraft.common.Digest;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * An OCI content descriptor.
 *
 * @param annotations never null; kept sorted so that the JSON written from it is stable
 * @param platform    null unless the descriptor points at a manifest inside an index
 * @param unknown     fields of another tool's document (urls, artifactType, data), written back as read
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"mediaType", "digest", "size", "annotations", "platform"})
public record Descriptor(
        String mediaType,
        Digest digest,
        long size,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> annotations,
        ImagePlatform platform,
        @JsonAnySetter @JsonAnyGetter Map<String, JsonNode> unknown) {

    public Descriptor {
        if (digest == null) {
            throw new IllegalArgumentException("a descriptor without a digest");
        }
        annotations = annotations == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(annotations));
        unknown = OciJson.keep(unknown);
    }

    public Descriptor(String mediaType, Digest digest, long size) {
        this(mediaType, digest, size, Map.of(), null, null);
    }

    public Descriptor withMediaType(String type) {
        return new Descriptor(type, digest, size, annotations, platform, unknown);
    }

    public Descriptor with(Map<String, String> newAnnotations, ImagePlatform newPlatform) {
        return new Descriptor(mediaType, digest, size, newAnnotations, newPlatform, unknown);
    }

    /** The hexadecimal part of the digest, the blob's file name. */
    public String hex() {
        return digest.hex();
    }
}
