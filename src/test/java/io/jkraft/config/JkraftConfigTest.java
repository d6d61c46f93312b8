package io.jkraft.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jkraft.common.UserException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JkraftConfigTest {
    @TempDir
    Path dir;

    @Test
    void loadDefaultsToGitHubFileOverridesEnvironmentWins() throws Exception {
        Path file = dir.resolve("config.yaml");
        assertThat(JkraftConfig.load(file, Map.of()).originBase()).isEqualTo("https://github.com/unikraft");
        Files.writeString(file, "origin_base: file:///mirror/\n");
        assertThat(JkraftConfig.load(file, Map.of()).originBase()).isEqualTo("file:///mirror");
        assertThat(JkraftConfig.load(file, Map.of("JKRAFT_ORIGIN_BASE", "/other")).originBase()).isEqualTo("/other");
    }

    @Test
    void insecureRegistriesFromTheFileAndTheEnvironment() throws Exception {
        Path file = dir.resolve("config.yaml");
        assertThat(JkraftConfig.load(file, Map.of()).insecureRegistries()).isEmpty();
        Files.writeString(file, "insecure_registries: [registry.lan:5000, other.lan]\n");
        assertThat(JkraftConfig.load(file, Map.of("JKRAFT_INSECURE_REGISTRIES", " third.lan , ,fourth:1")).insecureRegistries())
                .containsExactly("registry.lan:5000", "other.lan", "third.lan", "fourth:1");
        Files.writeString(file, "insecure_registries: {a: b}\n");
        assertThatThrownBy(() -> JkraftConfig.load(file, Map.of())).isInstanceOf(UserException.class)
                .hasMessageContaining("insecure_registries must be a list");
    }

    @Test
    void originArchivesFromTheFileThenTheVariableSplitAtColonsThatAreNoUrlsOwn() throws Exception {
        Path file = dir.resolve("config.yaml");
        assertThat(JkraftConfig.load(file, Map.of()).originArchives()).isEmpty();
        Files.writeString(file, "origin_archives: [/srv/archives, 'https://mirror.lan:8443/a']\n");
        assertThat(JkraftConfig.load(file, Map.of("JKRAFT_ORIGIN_ARCHIVES",
                "/mnt/usb:http://10.0.0.1:8080/dl:file:///srv/x::relative/dir:https://h/p")).originArchives())
                .containsExactly("/srv/archives", "https://mirror.lan:8443/a", "/mnt/usb", "http://10.0.0.1:8080/dl",
                        "file:///srv/x", "relative/dir", "https://h/p");
        Files.writeString(file, "origin_archives: /a:/b\n");
        assertThat(JkraftConfig.load(file, Map.of()).originArchives()).containsExactly("/a", "/b");
        Files.writeString(file, "origin_archives: {a: b}\n");
        assertThatThrownBy(() -> JkraftConfig.load(file, Map.of())).isInstanceOf(UserException.class)
                .hasMessageContaining("'origin_archives' must be a list of folders or URL prefixes");
    }

    @Test
    void loadBadFileIsAUserError() throws Exception {
        Path file = dir.resolve("config.yaml");
        Files.writeString(file, "origin_base: [unclosed\n");
        assertThatThrownBy(() -> JkraftConfig.load(file, Map.of())).isInstanceOf(UserException.class)
                .hasMessageContaining("not valid YAML");
        Files.writeString(file, "- a list\n");
        assertThatThrownBy(() -> JkraftConfig.load(file, Map.of())).isInstanceOf(UserException.class)
                .hasMessageContaining("expected a mapping");
    }

    @Test
    void pathsFollowXdgIgnoringRelativeValues() {
        JkraftPaths p = JkraftPaths.fromEnvironment(Map.of("HOME", "/home/u", "XDG_DATA_HOME", "/data",
                "XDG_CONFIG_HOME", "relative"));
        assertThat(p.sourcesDir()).isEqualTo(Path.of("/data/jkraft/sources"));
        assertThat(p.configFile()).isEqualTo(Path.of("/home/u/.config/jkraft/config.yaml"));
        assertThat(p.stateDir()).isEqualTo(Path.of("/home/u/.local/state/jkraft"));
    }
}
