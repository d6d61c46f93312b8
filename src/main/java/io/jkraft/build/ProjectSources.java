package io.jkraft.build;

import io.jkraft.common.UserException;
import io.jkraft.kraftfile.Component;
import io.jkraft.kraftfile.Kraftfile;
import io.jkraft.source.FetchPolicy;
import io.jkraft.source.FetchedSource;
import io.jkraft.source.OriginResolver;
import io.jkraft.source.SourceCache;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The fetched sources of a project's components: the core and each library, in Kraftfile order.
 */
record ProjectSources(FetchedSource core, Map<String, FetchedSource> libraries) {

    static ProjectSources fetch(Kraftfile kraftfile, OriginResolver resolver, SourceCache cache, FetchPolicy policy) {
        Component core = kraftfile.unikraft();
        if (core == null) {
            throw new UserException(kraftfile.file() + ": the Kraftfile names no Unikraft core",
                    "add 'unikraft: stable' (or a version, folder or URL) to it");
        }
        FetchedSource coreSource = cache.fetch(resolver.resolve(core, true, kraftfile.projectDir()), policy);
        Map<String, FetchedSource> libs = new LinkedHashMap<>();
        kraftfile.libraries().forEach((name, lib) ->
                libs.put(name, cache.fetch(resolver.resolve(lib, false, kraftfile.projectDir()), policy)));
        return new ProjectSources(coreSource, libs);
    }
}
