package io.jkraft.pkg.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * An OCI platform as KraftKit fills it: {@code os} is the Unikraft platform (qemu, fc, xen),
 * {@code architecture} the Unikraft architecture name unchanged (x86_64, not amd64),
 * {@code os.version} the kernel version and {@code os.features} the kconfig as CONFIG_X=y.
 */
public record Platform(String os, String architecture, String osVersion, List<String> osFeatures) {

    public Platform {
        osFeatures = osFeatures == null ? List.of() : List.copyOf(osFeatures);
    }

    ObjectNode toJson() {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("architecture", architecture);
        node.put("os", os);
        if (osVersion != null && !osVersion.isEmpty()) {
            node.put("os.version", osVersion);
        }
        if (!osFeatures.isEmpty()) {
            osFeatures.forEach(node.putArray("os.features")::add);
        }
        return node;
    }

    static Platform fromJson(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        List<String> features = new ArrayList<>();
        node.path("os.features").forEach(f -> features.add(f.asText()));
        JsonNode version = node.get("os.version");
        return new Platform(node.path("os").asText(), node.path("architecture").asText(),
                version == null ? null : version.asText(), features);
    }

    /** kraft's "plat/arch" form. */
    public String platArch() {
        return os + "/" + architecture;
    }
}
