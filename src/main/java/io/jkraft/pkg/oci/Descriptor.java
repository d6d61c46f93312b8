package io.jkraft.pkg.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.TreeMap;

/**
 * An OCI content descriptor.
 *
 * @param digest      {@code sha256:<hex>}
 * @param annotations never null; kept sorted so that the JSON written from it is stable
 * @param platform    null unless the descriptor points at a manifest inside an index
 */
public record Descriptor(String mediaType, String digest, long size, Map<String, String> annotations,
        Platform platform) {

    public Descriptor {
        annotations = annotations == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(annotations));
    }

    public Descriptor(String mediaType, String digest, long size) {
        this(mediaType, digest, size, Map.of(), null);
    }

    public Descriptor withMediaType(String type) {
        return new Descriptor(type, digest, size, annotations, platform);
    }

    public Descriptor with(Map<String, String> newAnnotations, Platform newPlatform) {
        return new Descriptor(mediaType, digest, size, newAnnotations, newPlatform);
    }

    /** The hexadecimal part of the digest, the blob's file name. */
    public String hex() {
        return digest.substring(digest.indexOf(':') + 1);
    }

    public ObjectNode toJson() {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("mediaType", mediaType);
        node.put("digest", digest);
        node.put("size", size);
        if (!annotations.isEmpty()) {
            ObjectNode a = node.putObject("annotations");
            annotations.forEach(a::put);
        }
        if (platform != null) {
            node.set("platform", platform.toJson());
        }
        return node;
    }

    public static Descriptor fromJson(JsonNode node) {
        Map<String, String> annotations = new TreeMap<>();
        node.path("annotations").properties().forEach(e -> annotations.put(e.getKey(), e.getValue().asText()));
        return new Descriptor(node.path("mediaType").asText(), node.path("digest").asText(),
                node.path("size").asLong(), annotations, Platform.fromJson(node.get("platform")));
    }
}
