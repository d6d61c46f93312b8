package io.jkraft.pkg.oci;

import java.util.List;
import java.util.Map;

/**
 * What to pack under one reference: every target becomes one manifest of the same image index.
 *
 * @param cmd          the application arguments recorded as the image's Cmd
 * @param env          NAME=value strings recorded as the image's Env
 * @param includeDebug also pack each target's unstripped kernel (kraft's --dbg)
 */
public record PackRequest(Reference reference, List<PackTarget> targets, List<String> cmd, List<String> env,
        Map<String, String> labels, boolean includeDebug) {

    public PackRequest {
        targets = List.copyOf(targets);
        cmd = cmd == null ? List.of() : List.copyOf(cmd);
        env = env == null ? List.of() : List.copyOf(env);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }
}
