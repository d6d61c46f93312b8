package io.jkraft.build;

import io.jkraft.common.UserException;
import io.jkraft.kraftfile.Component;
import io.jkraft.kraftfile.Kraftfile;
import io.jkraft.source.FetchPolicy;
import io.jkraft.source.FetchedSource;
import io.jkraft.source.LocalOrigin;
import io.jkraft.source.Origin;
import io.jkraft.source.OriginResolver;
import io.jkraft.source.SourceCache;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fetched sources of a project's components: the core and each library, in Kraftfile order.
 *
 * @param kraftPaths where kraft would keep each library ({@code <project>/.unikraft/libs/<name>}, or a local
 *                   library's own folder): kraft orders make's {@code L=} by these paths, and jkraft, whose
 *                   fetched libraries live in a shared cache instead, orders by them too
 */
record ProjectSources(FetchedSource core, Map<String, FetchedSource> libraries, Map<String, Path> kraftPaths) {

    ProjectSources(FetchedSource core, Map<String, FetchedSource> libraries) {
        this(core, libraries, Map.of());
    }

    static ProjectSources fetch(Kraftfile kraftfile, OriginResolver resolver, SourceCache cache, FetchPolicy policy) {
        Component core = kraftfile.unikraft();
        if (core == null) {
            throw new UserException(kraftfile.file() + ": the Kraftfile names no Unikraft core",
                    "add 'unikraft: stable' (or a version, folder or URL) to it");
        }
        FetchedSource coreSource = cache.fetch(resolver.resolve(core, true, kraftfile.projectDir()), policy);
        Map<String, FetchedSource> libs = new LinkedHashMap<>();
        Map<String, Path> kraftPaths = new LinkedHashMap<>();
        kraftfile.libraries().forEach((name, lib) -> {
            Origin origin = resolver.resolve(lib, false, kraftfile.projectDir());
            libs.put(name, cache.fetch(origin, policy));
            kraftPaths.put(name, origin instanceof LocalOrigin local ? local.dir()
                    : kraftfile.projectDir().resolve(".unikraft").resolve("libs").resolve(name));
        });
        return new ProjectSources(coreSource, libs, kraftPaths);
    }

    /** The library folders for make's {@code L=}, in kraft's order. */
    List<Path> libraryDirs() {
        return LibraryOrder.order(libraries.keySet().stream().collect(
                        java.util.stream.Collectors.toMap(n -> n, n -> n, (a, b) -> a, LinkedHashMap::new)),
                        name -> kraftPaths.getOrDefault(name, libraries.get(name).dir()).toString())
                .stream().map(name -> libraries.get(name).dir()).toList();
    }
}
