package io.jkraft.build;

import static org.assertj.core.api.Assertions.assertThat;

import io.jkraft.source.FetchedSource;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class LibraryOrderTest {

    @Test
    void orderPutsRuntimeLibrariesAndTheLibcFirstThenTheRestByPath() {
        Map<String, String> libs = new LinkedHashMap<>();
        for (String n : new String[] {"nginx", "musl", "lwip", "libcxx", "libcxxabi", "compiler-rt", "newlib"}) {
            libs.put(n, "/libs/" + n);
        }
        assertThat(LibraryOrder.order(libs, Function.identity())).containsExactly(
                "/libs/libcxxabi", "/libs/libcxx", "/libs/compiler-rt", "/libs/musl",
                "/libs/lwip", "/libs/newlib", "/libs/nginx");
    }

    @Test
    void orderNewlibBringsPthreadEmbeddedAlong() {
        Map<String, String> libs = new LinkedHashMap<>();
        libs.put("zz", "/a/zz");
        libs.put("pthread-embedded", "/z/pthread-embedded");
        libs.put("newlib", "/z/newlib");
        assertThat(LibraryOrder.order(libs, Function.identity()))
                .containsExactly("/z/newlib", "/z/pthread-embedded", "/a/zz");
    }

    @Test
    void libraryDirsFollowKraftsPlacementNotTheCacheFolders() {
        Map<String, FetchedSource> fetched = new LinkedHashMap<>();
        fetched.put("nginx", new FetchedSource(Path.of("/cache/git/0000"), "a"));
        fetched.put("lwip", new FetchedSource(Path.of("/cache/git/ffff"), "b"));
        fetched.put("zlocal", new FetchedSource(Path.of("/p/a-local-lib"), "c"));
        fetched.put("musl", new FetchedSource(Path.of("/cache/git/9999"), "d"));
        Map<String, Path> kraft = Map.of("nginx", Path.of("/p/.unikraft/libs/nginx"),
                "lwip", Path.of("/p/.unikraft/libs/lwip"), "zlocal", Path.of("/p/a-local-lib"),
                "musl", Path.of("/p/.unikraft/libs/musl"));

        assertThat(new ProjectSources(new FetchedSource(Path.of("/core"), "e"), fetched, kraft).libraryDirs())
                .as("musl first; then by kraft's paths: /p/.unikraft/libs/lwip, .../nginx, then /p/a-local-lib")
                .containsExactly(Path.of("/cache/git/9999"), Path.of("/cache/git/ffff"), Path.of("/cache/git/0000"),
                        Path.of("/p/a-local-lib"));
    }
}
