package io.jkraft.pkg.oci;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import io.jkraft.common.Digest;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An OCI image config as KraftKit writes it: the platform's fields at the top, the command line and
 * environment under {@code config}, and the layers' diff IDs under {@code rootfs}.
 *
 * @param config  null when a document leaves it out; jkraft writes one always, empty or not, as kraft does
 * @param unknown fields of another tool's document (created, history), written back as read
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"architecture", "os", "os.version", "os.features", "config", "rootfs"})
public record ImageConfig(
        String architecture,
        String os,
        @JsonProperty("os.version") @JsonInclude(JsonInclude.Include.NON_EMPTY) String osVersion,
        @JsonProperty("os.features") @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> osFeatures,
        Execution config,
        RootFs rootfs,
        @JsonAnySetter @JsonAnyGetter Map<String, JsonNode> unknown) {

    public ImageConfig {
        osFeatures = osFeatures == null ? List.of() : List.copyOf(osFeatures);
        unknown = OciJson.keep(unknown);
    }

    /** The config of an image packed for {@code platform}. */
    public static ImageConfig of(ImagePlatform platform, Execution config, List<Digest> diffIds) {
        return new ImageConfig(platform.architecture(), platform.os(), platform.osVersion(), platform.osFeatures(),
                config, new RootFs("layers", diffIds, null), null);
    }

    /** The platform the config names, as an index entry would give it. */
    public ImagePlatform platform() {
        return new ImagePlatform(os, architecture, osVersion, osFeatures);
    }

    /** What the kernel is started with; never null. */
    public Execution execution() {
        return config == null ? new Execution(null, null, null, null) : config;
    }

    /**
     * @param env     NAME=value strings; never null
     * @param cmd     the application's arguments; never null
     * @param labels  never null; sorted
     * @param unknown fields of another tool's document (Entrypoint, WorkingDir), written back as read
     */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    @JsonPropertyOrder({"Env", "Cmd", "Labels"})
    public record Execution(
            @JsonProperty("Env") List<String> env,
            @JsonProperty("Cmd") List<String> cmd,
            @JsonProperty("Labels") Map<String, String> labels,
            @JsonAnySetter @JsonAnyGetter Map<String, JsonNode> unknown) {

        public Execution {
            env = env == null ? List.of() : List.copyOf(env);
            cmd = cmd == null ? List.of() : List.copyOf(cmd);
            labels = labels == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(labels));
            unknown = OciJson.keep(unknown);
        }
    }

    /** The layers as a container runtime applies them; {@code type} is always {@code layers}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"type", "diff_ids"})
    public record RootFs(
            String type,
            @JsonProperty("diff_ids") List<Digest> diffIds,
            @JsonAnySetter @JsonAnyGetter Map<String, JsonNode> unknown) {

        public RootFs {
            diffIds = diffIds == null ? List.of() : List.copyOf(diffIds);
            unknown = OciJson.keep(unknown);
        }
    }
}
