package io.jkraft.bench;

import io.jkraft.common.UserException;
import io.jkraft.config.JkraftPaths;
import io.jkraft.index.ComponentQuery;
import io.jkraft.index.IndexResolver;
import io.jkraft.index.IndexService;
import io.jkraft.kraftfile.Component;
import io.jkraft.source.Origin;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Resolving a Kraftfile's components (the core and three libraries) against the local copy of an index of
 * 10,000 manifests, as a build does: a fresh resolver each time, reading the local copy from disk. Also an
 * unknown name's suggestions (which read every name of the index) and a whole-index listing.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class IndexResolveBenchmark {
    @Param("10000")
    int manifests;

    Path root;
    JkraftPaths paths;
    IndexService service;
    List<Component> kraftfile;

    @Setup(Level.Trial)
    public void writeIndex() throws IOException {
        root = Files.createTempDirectory("jkraft-jmh-index");
        paths = new JkraftPaths(root.resolve("config"), root.resolve("data"), root.resolve("state"), root.resolve("cache"));
        StringBuilder index = new StringBuilder("name: bench\nmanifests:\n");
        index.append("  - name: unikraft\n    type: core\n    channels:\n")
                .append("      - {name: stable, default: true, resource: https://example.org/unikraft-stable.tar.gz, sha256: ")
                .append("0".repeat(64)).append("}\n")
                .append("    versions: [{version: 0.17.0, resource: https://example.org/unikraft-0.17.0.tar.gz}]\n");
        for (int i = 1; i < manifests; i++) {
            index.append("  - name: lib").append(i).append("\n    type: lib\n    channels:\n")
                    .append("      - {name: stable, default: true, resource: https://example.org/lib").append(i).append(".tar.gz}\n")
                    .append("      - {name: staging, resource: https://example.org/lib").append(i).append("-staging.tar.gz}\n")
                    .append("    versions:\n")
                    .append("      - {version: 0.9.").append(i % 7).append(", resource: https://example.org/lib").append(i).append("-0.9.tar.gz}\n")
                    .append("      - {version: 0.10.0, resource: https://example.org/lib").append(i).append("-0.10.tar.gz}\n");
        }
        Path file = root.resolve("index.yaml");
        Files.writeString(file, index);
        service = new IndexService(paths, Map.of(), s -> { });
        service.addSource(file.toString());
        service.update();
        kraftfile = List.of(new Component("unikraft", null, "stable", Map.of()),
                new Component("lib17", null, null, Map.of()),
                new Component("lib4242", null, "0.10.0", Map.of()),
                new Component("lib9999", null, "staging", Map.of()));
    }

    @TearDown(Level.Trial)
    public void removeIndex() throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** What a build does: the core and three libraries, through a fresh resolver. */
    @Benchmark
    public void resolveKraftfileComponents(Blackhole bh) {
        IndexResolver resolver = IndexService.resolver(paths);
        for (int i = 0; i < kraftfile.size(); i++) {
            Origin o = resolver.origin(kraftfile.get(i), i == 0).orElseThrow();
            bh.consume(o);
        }
    }

    /** `pkg info muls`-style miss: every name of the index is compared. */
    @Benchmark
    public String suggestForUnknownName() {
        try {
            service.info(ComponentQuery.parse("lib/lib99999x"));
            throw new IllegalStateException("found");
        } catch (UserException e) {
            return e.getMessage();
        }
    }

    /** `pkg ls --index`: the whole local copy parsed. */
    @Benchmark
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public int listWholeIndex() {
        return service.list(java.util.Set.of()).size();
    }
}
