package io.jkraft.pkg.oci;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * The platform of the OCI image spec as KraftKit fills it: {@code os} is the Unikraft platform (qemu, fc, xen),
 * {@code architecture} the Unikraft architecture name unchanged (x86_64, not amd64), {@code os.version} the
 * kernel version and {@code os.features} the kconfig as CONFIG_X=y. Not {@code common}'s platform type: this
 * is the image spec's record, whatever its {@code os} says.
 *
 * @param os           "" when a document leaves it out, as kraft reads it
 * @param architecture "" when a document leaves it out
 * @param osVersion    null or "" for none; "" is written as none
 * @param unknown      fields of another tool's document (variant, features), written back as read
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"architecture", "os", "os.version", "os.features"})
public record ImagePlatform(
        String os,
        String architecture,
        @JsonProperty("os.version") @JsonInclude(JsonInclude.Include.NON_EMPTY) String osVersion,
        @JsonProperty("os.features") @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> osFeatures,
        @JsonAnySetter @JsonAnyGetter Map<String, JsonNode> unknown) {

    public ImagePlatform {
        os = os == null ? "" : os;
        architecture = architecture == null ? "" : architecture;
        osFeatures = osFeatures == null ? List.of() : List.copyOf(osFeatures);
        unknown = OciJson.keep(unknown);
    }

    public ImagePlatform(String os, String architecture, String osVersion, List<String> osFeatures) {
        this(os, architecture, osVersion, osFeatures, null);
    }

    /** kraft's "plat/arch" form. */
    public String platArch() {
        return os + "/" + architecture;
    }
}
