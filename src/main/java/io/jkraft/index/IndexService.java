package io.jkraft.index;

import io.jkraft.common.Invocation;
import io.jkraft.common.UserException;
import io.jkraft.config.ConfigWriter;
import io.jkraft.config.JkraftConfig;
import io.jkraft.config.JkraftPaths;
import io.jkraft.source.FetchPolicy;
import io.jkraft.source.FetchedSource;
import io.jkraft.source.SourceCache;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The component index: KraftKit-format manifest indexes named in the config file ({@code pkg source}),
 * copied locally by {@code pkg update}, listed, and pulled into the source cache.
 */
public final class IndexService {
    private static final Pattern URL = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*://.*|[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:(?!//).+");

    private final JkraftPaths paths;
    private final Invocation invocation;
    private final Consumer<String> progress;
    private final LocalIndex local;

    /** @param invocation a local source's path is relative to its folder; settings come from its environment */
    public IndexService(JkraftPaths paths, Invocation invocation, Consumer<String> progress) {
        this.paths = paths;
        this.invocation = invocation;
        this.progress = progress;
        this.local = new LocalIndex(localCopyDir(paths));
    }

    /** Where {@code pkg update} keeps the local copy. */
    public static Path localCopyDir(JkraftPaths paths) {
        return paths.dataDir().resolve("manifests");
    }

    /** What builds consult before the default origins: the local copy, or nothing when there is none. */
    public static IndexResolver resolver(JkraftPaths paths) {
        return new IndexResolver(new LocalIndex(localCopyDir(paths)));
    }

    public List<String> sources() {
        return config().manifests();
    }

    /**
     * Adds an index source after checking that it reads as an index or manifest; a local path is kept
     * absolute. Adding one already there changes nothing.
     *
     * @return the source as recorded
     */
    public String addSource(String source) {
        String s = source.strip();
        if (!URL.matcher(s).matches()) {
            s = invocation.resolve(s).toString();
        }
        List<Manifest> manifests = reader().read(s);
        progress.accept("index " + s + " lists " + manifests.size() + " component" + (manifests.size() == 1 ? "" : "s"));
        List<String> all = new ArrayList<>(sources());
        if (!all.contains(s)) {
            all.add(s);
            new ConfigWriter(paths.configFile()).setList(JkraftConfig.MANIFESTS_KEY, all);
        }
        return s;
    }

    /** Removes an index source from the config (the local copy changes at the next {@code pkg update}). */
    public void removeSource(String source) {
        List<String> all = new ArrayList<>(sources());
        String s = source.strip();
        String absolute = URL.matcher(s).matches() ? s : invocation.resolve(s).toString();
        if (!all.remove(s) && !all.remove(absolute)) {
            throw new UserException("'" + source + "' is not an index source",
                    all.isEmpty() ? "no index source is configured" : "configured: " + String.join(", ", all));
        }
        new ConfigWriter(paths.configFile()).setList(JkraftConfig.MANIFESTS_KEY, all);
    }

    /** Result of an update: how many manifests each source gave, and how many were shadowed by earlier ones. */
    public record UpdateSummary(Map<String, Integer> perSource, int shadowed, int total) {}

    /**
     * Reads every source and replaces the local copy in one step. When any source fails, the previous copy
     * stays as it was and the error names the source.
     */
    public UpdateSummary update() {
        List<String> sources = sources();
        if (sources.isEmpty()) {
            throw new UserException("no index source is configured", "add one with jkraft pkg source URL");
        }
        IndexReader reader = reader();
        Map<String, Manifest> merged = new LinkedHashMap<>();
        Map<String, Integer> perSource = new LinkedHashMap<>();
        int shadowed = 0;
        for (String source : sources) {
            progress.accept("reading index " + source);
            List<Manifest> manifests;
            try {
                manifests = reader.read(source);
            } catch (UserException e) {
                throw new UserException("index source " + source + ": " + e.getMessage()
                        + " (the local copy was left as it was)", e.hint(), e);
            }
            perSource.put(source, manifests.size());
            for (Manifest m : manifests) {
                if (merged.putIfAbsent(m.qualifiedName(), m) != null) {
                    shadowed++;
                }
            }
        }
        local.replace(List.copyOf(merged.values()));
        return new UpdateSummary(perSource, shadowed, merged.size());
    }

    /** The components of the local copy of the given types (all types when none is given). */
    public List<Manifest> list(Set<ComponentType> types) {
        requireLocalCopy();
        return local.all().stream().filter(m -> types.isEmpty() || types.contains(m.type())).toList();
    }

    /** Whether the local copy lists a component a query names (so pkg pull takes it from the index). */
    public boolean knows(String text) {
        if (!local.exists() || !ComponentQuery.looksLikeComponent(text)) {
            return false;
        }
        ComponentQuery q;
        try {
            q = ComponentQuery.parse(text);
        } catch (UserException e) {
            return false;
        }
        return types(q).stream().anyMatch(t -> local.find(t, q.name()).isPresent());
    }

    /** The manifest a query names; an unknown name gets the closest names as a hint. */
    public Manifest info(ComponentQuery query) {
        requireLocalCopy();
        List<Manifest> found = new ArrayList<>();
        for (ComponentType t : types(query)) {
            local.find(t, query.name()).ifPresent(found::add);
        }
        if (found.isEmpty()) {
            Set<String> names = new HashSet<>();
            for (ComponentType t : types(query)) {
                names.addAll(local.names(t));
            }
            List<String> close = Suggestions.closest(query.name(), names);
            throw new UserException("no component named '" + query.name() + "' in the index"
                    + (close.isEmpty() ? "" : "; did you mean: " + String.join(", ", close) + "?"),
                    "jkraft pkg ls --index lists them; jkraft pkg update refreshes the local copy");
        }
        if (found.size() > 1) {
            throw new UserException("'" + query.name() + "' names several components: "
                    + String.join(", ", found.stream().map(Manifest::qualifiedName).toList()),
                    "write TYPE/NAME, e.g. " + found.getFirst().qualifiedName());
        }
        return found.getFirst();
    }

    /** What a pull fetched. */
    public record Pulled(Selection selection, FetchedSource fetched) {}

    /**
     * Fetches a component's channel or version into the source cache, where builds find it. An archive
     * whose SHA-256 differs from the index's is refused and nothing is kept; an interrupted download leaves
     * only a temporary file that is removed.
     */
    public Pulled pull(ComponentQuery query) {
        Manifest m = info(query);
        Selection s = Selection.require(m, query.channel() != null ? query.channel() : query.version());
        progress.accept("pulling " + m.qualifiedName() + " (" + s.label() + ") from " + s.resource());
        FetchedSource fetched = new SourceCache(paths.sourcesDir(), progress).fetch(s.origin(), FetchPolicy.REFRESH);
        return new Pulled(s, fetched);
    }

    private static List<ComponentType> types(ComponentQuery q) {
        return q.type() != null ? List.of(q.type()) : Arrays.asList(ComponentType.values());
    }

    private void requireLocalCopy() {
        if (!local.exists()) {
            throw new UserException("there is no local copy of the component index yet",
                    sources().isEmpty() ? "add an index with jkraft pkg source URL, then run jkraft pkg update"
                            : "run jkraft pkg update");
        }
    }

    private IndexReader reader() {
        return new IndexReader(new SourceCache(paths.sourcesDir(), progress), invocation.workingDir());
    }

    private JkraftConfig config() {
        return JkraftConfig.load(paths.configFile(), invocation.environment());
    }

    /** For tests and benchmarks: whether a local copy exists. */
    public boolean hasLocalCopy() {
        return local.exists() && Files.isDirectory(local.root());
    }
}
