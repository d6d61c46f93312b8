package io.jkraft.pkg.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jkraft.common.Architecture;
import io.jkraft.kraftfile.Target;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Another OCI implementation reads the store: the layout, the tag and the index are as the spec wants. */
class SkopeoInteropTest {
    @TempDir
    Path dir;

    private static boolean skopeoInstalled() {
        try {
            Process p = new ProcessBuilder("skopeo", "--version").redirectErrorStream(true).start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    private String skopeo(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("skopeo", "--insecure-policy"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    @Test
    void skopeoReadsOurIndexAndManifests() throws Exception {
        assumeTrue(skopeoInstalled(), "skopeo is not installed (scripts/install-deps installs it)");
        Path store = dir.resolve("store");
        OciLayout layout = OciLayout.open(store);
        Path kernel = Files.writeString(dir.resolve("kernel"), "kernel");
        Descriptor index = new ImagePacker(layout).pack(new PackRequest(Reference.parse("hello:1.0"), List.of(
                new PackTarget(new Target(null, io.jkraft.common.Platform.QEMU, Architecture.X86_64, null, Map.of()), kernel, null, null, "0.18.0",
                        Map.of("CONFIG_LIBUKDEBUG", "y")),
                new PackTarget(new Target(null, io.jkraft.common.Platform.FC, Architecture.X86_64, null, Map.of()), kernel, null, null, "0.18.0",
                        Map.of())),
                List.of("-v"), null, null, false));

        String ref = "oci:" + store + ":unikraft.org/hello:1.0";
        String raw = skopeo("inspect", "--raw", ref);
        assertThat(raw.getBytes(StandardCharsets.UTF_8)).isEqualTo(layout.readBlob(index));

        JsonNode config = new ObjectMapper().readTree(
                skopeo("inspect", "--config", "--override-os", "qemu", "--override-arch", "x86_64", ref));
        assertThat(config.path("os").asText()).isEqualTo("qemu");
        assertThat(config.path("config").path("Cmd").get(0).asText()).isEqualTo("-v");

        skopeo("copy", "--override-os", "fc", "--override-arch", "x86_64", ref, "dir:" + dir.resolve("copy"));
        assertThat(dir.resolve("copy/manifest.json")).exists();
    }
}
