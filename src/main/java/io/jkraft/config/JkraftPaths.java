package io.jkraft.config;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where jkraft keeps its files, following the XDG base directory convention so that several users and
 * containers can point them elsewhere.
 *
 * @param configDir  user configuration ({@code $XDG_CONFIG_HOME/jkraft})
 * @param dataDir    fetched sources and packages ({@code $XDG_DATA_HOME/jkraft})
 * @param stateDir   machine records and runtime state ({@code $XDG_STATE_HOME/jkraft})
 * @param cacheDir   throw-away caches ({@code $XDG_CACHE_HOME/jkraft})
 */
public record JkraftPaths(Path configDir, Path dataDir, Path stateDir, Path cacheDir) {

    public static JkraftPaths fromEnvironment(Map<String, String> env) {
        Path home = Path.of(env.getOrDefault("HOME", System.getProperty("user.home")));
        return new JkraftPaths(
                xdg(env, "XDG_CONFIG_HOME", home.resolve(".config")),
                xdg(env, "XDG_DATA_HOME", home.resolve(".local/share")),
                xdg(env, "XDG_STATE_HOME", home.resolve(".local/state")),
                xdg(env, "XDG_CACHE_HOME", home.resolve(".cache")));
    }

    private static Path xdg(Map<String, String> env, String variable, Path fallback) {
        String value = env.get(variable);
        // The XDG spec says relative values are invalid and must be ignored.
        Path base = value != null && !value.isBlank() && Path.of(value).isAbsolute() ? Path.of(value) : fallback;
        return base.resolve("jkraft");
    }

    public Path configFile() {
        return configDir.resolve("config.yaml");
    }

    public Path sourcesDir() {
        return dataDir.resolve("sources");
    }
}
