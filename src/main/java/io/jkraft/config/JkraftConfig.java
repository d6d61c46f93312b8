package io.jkraft.config;

import io.jkraft.common.UserException;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * The user's settings: the config file, overridden by {@code JKRAFT_*} environment variables.
 *
 * @param originBase where the default component repositories live: the core at {@code <base>/unikraft},
 *                   library NAME at {@code <base>/lib-NAME}
 * @param insecureRegistries registries ({@code host[:port]}) spoken to over plain HTTP when they do not speak
 *                   TLS: {@code insecure_registries} in the file plus {@code JKRAFT_INSECURE_REGISTRIES}
 *                   (comma-separated); loopback addresses need no entry
 */
public record JkraftConfig(String originBase, java.util.List<String> insecureRegistries) {

    public static final String DEFAULT_ORIGIN_BASE = "https://github.com/unikraft";
    static final String ORIGIN_BASE_KEY = "origin_base";
    static final String ORIGIN_BASE_ENV = "JKRAFT_ORIGIN_BASE";
    static final String INSECURE_KEY = "insecure_registries";
    static final String INSECURE_ENV = "JKRAFT_INSECURE_REGISTRIES";

    public JkraftConfig {
        insecureRegistries = insecureRegistries == null ? java.util.List.of() : java.util.List.copyOf(insecureRegistries);
    }

    public JkraftConfig(String originBase) {
        this(originBase, java.util.List.of());
    }

    public static JkraftConfig load(Path configFile, Map<String, String> env) {
        String originBase = DEFAULT_ORIGIN_BASE;
        Map<?, ?> file = readFile(configFile);
        if (file.get(ORIGIN_BASE_KEY) instanceof String s && !s.isBlank()) {
            originBase = s;
        }
        String fromEnv = env.get(ORIGIN_BASE_ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            originBase = fromEnv;
        }
        java.util.List<String> insecure = new java.util.ArrayList<>();
        Object listed = file.get(INSECURE_KEY);
        if (listed instanceof java.util.List<?> l) {
            l.forEach(v -> addHosts(insecure, String.valueOf(v)));
        } else if (listed instanceof String s) {
            addHosts(insecure, s);
        } else if (listed != null) {
            throw new UserException(configFile + ": " + INSECURE_KEY + " must be a list of registry hosts",
                    "e.g. '" + INSECURE_KEY + ": [registry.lan:5000]'");
        }
        addHosts(insecure, env.getOrDefault(INSECURE_ENV, ""));
        return new JkraftConfig(stripTrailingSlash(originBase), insecure);
    }

    private static void addHosts(java.util.List<String> hosts, String commaSeparated) {
        for (String h : commaSeparated.split(",")) {
            if (!h.isBlank()) {
                hosts.add(h.strip());
            }
        }
    }

    private static Map<?, ?> readFile(Path configFile) {
        if (!Files.isRegularFile(configFile)) {
            return Map.of();
        }
        try (Reader reader = Files.newBufferedReader(configFile)) {
            Object loaded = new Yaml().load(reader);
            if (loaded == null) {
                return Map.of();
            }
            if (loaded instanceof Map<?, ?> map) {
                return map;
            }
            throw new UserException(configFile + ": expected a mapping of settings at the top level",
                    "write settings as 'key: value' lines, e.g. '" + ORIGIN_BASE_KEY + ": https://github.com/unikraft'");
        } catch (YAMLException e) {
            throw new UserException(configFile + ": not valid YAML: " + e.getMessage().lines().findFirst().orElse(""),
                    "fix or remove the file", e);
        } catch (IOException e) {
            throw new UserException("cannot read " + configFile + ": " + e.getMessage(), null, e);
        }
    }

    private static String stripTrailingSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
