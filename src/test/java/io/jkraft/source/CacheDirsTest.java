package io.jkraft.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CacheDirsTest {
    @TempDir
    Path root;

    @Test
    void losingTheRenameRaceKeepsTheWinnerAndDropsOurCopy() throws Exception {
        CacheDirs dirs = new CacheDirs(root);
        dirs.create();
        Path target = dirs.trees.resolve("abc");
        Path first = dirs.newTempDir();
        Files.writeString(first.resolve("f"), "first");
        Path second = dirs.newTempDir();
        Files.writeString(second.resolve("f"), "second");

        assertThat(dirs.install(first, target)).isTrue();
        assertThat(dirs.install(second, target)).isFalse();
        assertThat(target.resolve("f")).hasContent("first");
        assertThat(second).doesNotExist();
    }

    @Test
    void recordsAreReplacedWhole() throws Exception {
        CacheDirs dirs = new CacheDirs(root);
        dirs.create();
        Path record = dirs.archiveUrls.resolve("k");
        assertThat(CacheDirs.readRecord(record)).isNull();
        dirs.writeAtomically(record, "one\n");
        dirs.writeAtomically(record, "two\n");
        assertThat(CacheDirs.readRecord(record)).isEqualTo("two");
        try (var s = Files.list(dirs.tmp)) {
            assertThat(s.toList()).isEmpty();
        }
    }

    @Test
    void repoKeyIgnoresTrailingSlashes() {
        assertThat(GitFetcher.repoKey("file:///x/")).isEqualTo(GitFetcher.repoKey("file:///x")).hasSize(16);
        assertThat(GitErrors.repoName("https://github.com/unikraft/lib-musl.git")).isEqualTo("lib-musl");
        assertThat(GitErrors.repoName("git@github.com:unikraft/unikraft.git")).isEqualTo("unikraft");
        assertThat(GitErrors.repoName("file:///srv/mirror/unikraft/")).isEqualTo("unikraft");
    }
}
