package io.jkraft.config;

import io.jkraft.common.UserException;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * The user's settings: the config file, overridden by {@code JKRAFT_*} environment variables.
 *
 * @param originBase where the default component repositories live: the core at {@code <base>/unikraft},
 *                   library NAME at {@code <base>/lib-NAME}
 * @param manifests  the component index sources ({@code pkg source}), in priority order: URLs or paths of
 *                   index files, manifest files, folders or git repositories holding an {@code index.yaml}
 * @param insecureRegistries registries ({@code host[:port]}) spoken to over plain HTTP when they do not speak
 *                   TLS: {@code insecure_registries} in the file plus {@code JKRAFT_INSECURE_REGISTRIES}
 *                   (comma-separated); loopback addresses need no entry
 * @param originArchives where libraries' origin archives are looked for before their own URLs, in order:
 *                   {@code origin_archives} in the file (a list, or one string), then {@code JKRAFT_ORIGIN_ARCHIVES}
 *                   (colon-separated, as {@code PATH}; a URL's own colons do not separate): folders holding the
 *                   archives by name, or URL prefixes ({@code http://}, {@code https://}, {@code file://})
 */
public record JkraftConfig(String originBase, List<String> manifests, List<String> insecureRegistries,
        List<String> originArchives) {

    public static final String DEFAULT_ORIGIN_BASE = "https://github.com/unikraft";
    static final String ORIGIN_BASE_KEY = "origin_base";
    static final String ORIGIN_BASE_ENV = "JKRAFT_ORIGIN_BASE";
    /** Like kraft's {@code unikraft.manifests}: the list {@code pkg source} and {@code pkg unsource} edit. */
    public static final String MANIFESTS_KEY = "manifests";
    static final String INSECURE_KEY = "insecure_registries";
    static final String INSECURE_ENV = "JKRAFT_INSECURE_REGISTRIES";
    static final String ORIGIN_ARCHIVES_KEY = "origin_archives";
    public static final String ORIGIN_ARCHIVES_ENV = "JKRAFT_ORIGIN_ARCHIVES";

    public JkraftConfig {
        manifests = manifests == null ? List.of() : List.copyOf(manifests);
        insecureRegistries = insecureRegistries == null ? List.of() : List.copyOf(insecureRegistries);
        originArchives = originArchives == null ? List.of() : List.copyOf(originArchives);
    }

    public JkraftConfig(String originBase) {
        this(originBase, List.of(), List.of(), List.of());
    }

    public JkraftConfig(String originBase, List<String> manifests, List<String> insecureRegistries) {
        this(originBase, manifests, insecureRegistries, List.of());
    }

    /** This configuration with other origin archive places (tests, and callers that add their own). */
    public JkraftConfig withOriginArchives(List<String> places) {
        return new JkraftConfig(originBase, manifests, insecureRegistries, places);
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
        List<String> insecure = new ArrayList<>();
        Object listed = file.get(INSECURE_KEY);
        if (listed instanceof List<?> l) {
            l.forEach(v -> addHosts(insecure, String.valueOf(v)));
        } else if (listed instanceof String s) {
            addHosts(insecure, s);
        } else if (listed != null) {
            throw new UserException(configFile + ": " + INSECURE_KEY + " must be a list of registry hosts",
                    "e.g. '" + INSECURE_KEY + ": [registry.lan:5000]'");
        }
        addHosts(insecure, env.getOrDefault(INSECURE_ENV, ""));
        List<String> archives = new ArrayList<>(originArchives(configFile, file.get(ORIGIN_ARCHIVES_KEY)));
        archives.addAll(splitPlaces(env.getOrDefault(ORIGIN_ARCHIVES_ENV, "")));
        return new JkraftConfig(stripTrailingSlash(originBase), manifests(configFile, file.get(MANIFESTS_KEY)), insecure,
                archives);
    }

    private static List<String> originArchives(Path configFile, Object value) {
        if (value == null) {
            return List.of();
        }
        if (value instanceof String s) {
            return splitPlaces(s);
        }
        if (value instanceof List<?> list && list.stream().allMatch(o -> o instanceof String s && !s.isBlank())) {
            return list.stream().map(o -> ((String) o).strip()).toList();
        }
        throw new UserException(configFile + ": '" + ORIGIN_ARCHIVES_KEY + "' must be a list of folders or URL prefixes,"
                + " found " + value, "write it as '" + ORIGIN_ARCHIVES_KEY + ": [/srv/archives, https://mirror.lan/archives]'");
    }

    /**
     * Splits a colon-separated list of places, as {@code PATH} is split, except at the colons that belong to a
     * URL: after its scheme ({@code https://}) and before its port ({@code host:8080}).
     */
    static List<String> splitPlaces(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder place = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == ':' && !partOfUrl(place.toString(), text.substring(i + 1))) {
                addPlace(out, place);
            } else {
                place.append(c);
            }
        }
        addPlace(out, place);
        return out;
    }

    private static boolean partOfUrl(String before, String after) {
        if (before.matches("(?i)https?|file") && after.startsWith("/")) {
            return true; // the scheme's colon
        }
        // a port: within the authority of an http(s) URL, followed by digits
        return before.matches("(?i)https?://[^/]*") && after.matches("\\d+([/:?#].*)?");
    }

    private static void addPlace(List<String> out, StringBuilder place) {
        if (!place.toString().isBlank()) {
            out.add(place.toString().strip());
        }
        place.setLength(0);
    }

    private static void addHosts(List<String> hosts, String commaSeparated) {
        for (String h : commaSeparated.split(",")) {
            if (!h.isBlank()) {
                hosts.add(h.strip());
            }
        }
    }

    private static List<String> manifests(Path configFile, Object value) {
        if (value == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        if (value instanceof List<?> list) {
            for (Object o : list) {
                if (!(o instanceof String s) || s.isBlank()) {
                    throw new UserException(configFile + ": every entry of '" + MANIFESTS_KEY + "' must be a URL or path,"
                            + " found " + o, "edit the file, or use jkraft pkg source / pkg unsource");
                }
                out.add(s.strip());
            }
            return out;
        }
        throw new UserException(configFile + ": '" + MANIFESTS_KEY + "' must be a list of URLs, found " + value,
                "write it as '" + MANIFESTS_KEY + ": [https://example.org/index.yaml]'");
    }

    /** The user's config file as a mapping ({@code {}} when there is none), for editing. */
    static Map<?, ?> read(Path configFile) {
        return readFile(configFile);
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
