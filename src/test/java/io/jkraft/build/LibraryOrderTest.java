package io.jkraft.build;

import static org.assertj.core.api.Assertions.assertThat;

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
}
