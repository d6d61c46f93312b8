package io.jkraft.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jkraft.common.UserException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalSourceTest {
    @TempDir
    Path tmp;

    Path lib;
    SourceCache cache;

    @BeforeEach
    void setUp() throws Exception {
        lib = Files.createDirectories(tmp.resolve("lib-foo"));
        Files.writeString(lib.resolve("Makefile.uk"), "LIBFOO_SRCS-y += foo.c\n");
        Files.createDirectories(lib.resolve("src"));
        Files.writeString(lib.resolve("src/foo.c"), "int foo;\n");
        cache = new SourceCache(tmp.resolve("cache"), m -> {});
    }

    private FetchedSource fetch() {
        return cache.fetch(new LocalOrigin(lib), false);
    }

    @Test
    void folderIsUsedInPlaceWithoutTouchingTheCache() {
        FetchedSource s = fetch();
        assertThat(s.dir()).isEqualTo(lib);
        assertThat(s.revision()).hasSize(64).isEqualTo(fetch().revision());
        assertThat(cache.fetch(new LocalOrigin(lib), true)).isEqualTo(s);
        assertThat(tmp.resolve("cache")).doesNotExist();
    }

    @Test
    void digestFollowsEditsAdditionsRemovalsAndRenames() throws Exception {
        String r0 = fetch().revision();
        Files.writeString(lib.resolve("src/foo.c"), "int foo = 1;\n");
        String r1 = fetch().revision();
        assertThat(r1).isNotEqualTo(r0);

        Files.setLastModifiedTime(lib.resolve("src/foo.c"), FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
        String r2 = fetch().revision();
        assertThat(r2).isNotEqualTo(r1);

        Files.writeString(lib.resolve("src/bar.c"), "");
        String r3 = fetch().revision();
        assertThat(r3).isNotEqualTo(r2);

        Files.move(lib.resolve("src/bar.c"), lib.resolve("src/baz.c"));
        String r4 = fetch().revision();
        assertThat(r4).isNotEqualTo(r3);

        Files.delete(lib.resolve("src/baz.c"));
        assertThat(fetch().revision()).isNotEqualTo(r4).isEqualTo(r2);
    }

    @Test
    void gitMetadataAndBuildOutputDoNotCount() throws Exception {
        String before = fetch().revision();
        Files.createDirectories(lib.resolve(".git/objects"));
        Files.writeString(lib.resolve(".git/HEAD"), "ref: refs/heads/main\n");
        Files.createDirectories(lib.resolve(".unikraft/build"));
        Files.writeString(lib.resolve(".unikraft/build/foo.o"), "obj");
        assertThat(fetch().revision()).isEqualTo(before);
    }

    @Test
    void missingFolderIsAUserError() {
        assertThatThrownBy(() -> cache.fetch(new LocalOrigin(tmp.resolve("gone")), false))
                .isInstanceOf(UserException.class).hasMessageContaining("gone");
    }
}
