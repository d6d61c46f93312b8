package io.jkraft.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jkraft.common.Digest;
import io.jkraft.common.UserException;
import io.jkraft.kraftfile.Component;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OriginResolverTest {
    private static final String SHA = "ab".repeat(32);

    @TempDir
    Path project;

    private final OriginResolver github = new OriginResolver("https://github.com/unikraft/");

    private static Component c(String name, String source, String version) {
        return new Component(name, source, version, Map.of());
    }

    @Test
    void coreWithoutSourceComesFromBaseOnStable() {
        assertThat(github.resolve(c("unikraft", null, null), true, project))
                .isEqualTo(new GitOrigin("https://github.com/unikraft/unikraft", "stable"));
        assertThat(github.resolve(c("unikraft", null, "RELEASE-0.17.0"), true, project))
                .isEqualTo(new GitOrigin("https://github.com/unikraft/unikraft", "RELEASE-0.17.0"));
    }

    @Test
    void libraryWithoutSourceComesFromLibRepo() {
        assertThat(github.resolve(c("musl", null, null), false, project))
                .isEqualTo(new GitOrigin("https://github.com/unikraft/lib-musl", "stable"));
        assertThat(github.resolve(c("lwip", null, "staging"), false, project))
                .isEqualTo(new GitOrigin("https://github.com/unikraft/lib-lwip", "staging"));
    }

    @Test
    void folderBaseBecomesFileUrls() {
        OriginResolver r = new OriginResolver(project.resolve("mirror").toString());
        GitOrigin o = (GitOrigin) r.resolve(c("musl", null, null), false, project);
        assertThat(o.url()).isEqualTo(project.resolve("mirror").toUri() + "/lib-musl");
        assertThat(URI.create(o.url()).getScheme()).isEqualTo("file");

        OriginResolver f = new OriginResolver("file:///srv/mirror");
        assertThat(f.resolve(c("unikraft", null, null), true, project))
                .isEqualTo(new GitOrigin("file:///srv/mirror/unikraft", "stable"));
    }

    @Test
    void localFolders() throws Exception {
        Path lib = Files.createDirectories(project.resolve("libs/foo"));
        assertThat(github.resolve(c("foo", "./libs/foo", null), false, project)).isEqualTo(new LocalOrigin(lib));
        assertThat(github.resolve(c("foo", "libs/foo", "stable"), false, project)).isEqualTo(new LocalOrigin(lib));
        assertThat(github.resolve(c("foo", lib.toString(), null), false, project)).isEqualTo(new LocalOrigin(lib));
        Path sub = Files.createDirectories(project.resolve("app"));
        assertThat(github.resolve(c("foo", "../libs/foo", null), false, sub)).isEqualTo(new LocalOrigin(lib));
        assertThat(github.resolve(c("foo", "~", null), false, project))
                .isEqualTo(new LocalOrigin(Path.of(System.getProperty("user.home")).toAbsolutePath().normalize()));
    }

    @Test
    void missingFolderIsAnErrorWithHint() {
        assertThatThrownBy(() -> github.resolve(c("foo", "./nope", null), false, project))
                .isInstanceOf(UserException.class)
                .hasMessageContaining("library foo").hasMessageContaining("./nope")
                .extracting(e -> ((UserException) e).hint()).asString().contains("source:");
        assertThatThrownBy(() -> github.resolve(c("foo", "nope/either", null), false, project))
                .isInstanceOf(UserException.class).hasMessageContaining("does not exist");
    }

    @Test
    void archiveUrls() {
        assertThat(github.resolve(c("foo", "https://example.org/foo-1.0.tar.gz?sha256=" + SHA.toUpperCase(), null),
                false, project)).isEqualTo(new ArchiveOrigin(URI.create("https://example.org/foo-1.0.tar.gz"), Digest.ofSha256Hex(SHA)));
        assertThat(github.resolve(c("foo", "http://example.org/foo.zip", null), false, project))
                .isEqualTo(new ArchiveOrigin(URI.create("http://example.org/foo.zip"), null));
        assertThat(github.resolve(c("foo", "file:///srv/foo.tgz?token=x&sha256=" + SHA, null), false, project))
                .isEqualTo(new ArchiveOrigin(URI.create("file:///srv/foo.tgz?token=x"), Digest.ofSha256Hex(SHA)));
        assertThatThrownBy(() -> github.resolve(c("foo", "https://example.org/f.tar?sha256=123", null), false, project))
                .isInstanceOf(UserException.class).hasMessageContaining("not a SHA-256");
        assertThatThrownBy(() -> github.resolve(c("foo", "ftp://example.org/f.tar", null), false, project))
                .isInstanceOf(UserException.class).hasMessageContaining("ftp");
    }

    @Test
    void localArchiveFileBecomesArchiveOrigin() throws Exception {
        Path tgz = Files.write(project.resolve("foo.tar.gz"), new byte[] {1});
        assertThat(github.resolve(c("foo", "./foo.tar.gz", null), false, project))
                .isEqualTo(new ArchiveOrigin(tgz.toUri(), null));
    }

    @Test
    void gitUrlsWithRefFromQueryThenVersion() {
        assertThat(github.resolve(c("foo", "https://github.com/x/lib-foo.git?branch=dev", "stable"), false, project))
                .isEqualTo(new GitOrigin("https://github.com/x/lib-foo.git", "dev"));
        assertThat(github.resolve(c("foo", "https://github.com/x/lib-foo?tag=v1.0", null), false, project))
                .isEqualTo(new GitOrigin("https://github.com/x/lib-foo", "v1.0"));
        assertThat(github.resolve(c("foo", "https://github.com/x/lib-foo?version=abc1234", null), false, project))
                .isEqualTo(new GitOrigin("https://github.com/x/lib-foo", "abc1234"));
        assertThat(github.resolve(c("foo", "https://github.com/x/lib-foo", "v2"), false, project))
                .isEqualTo(new GitOrigin("https://github.com/x/lib-foo", "v2"));
        assertThat(github.resolve(c("foo", "https://github.com/x/lib-foo", null), false, project))
                .isEqualTo(new GitOrigin("https://github.com/x/lib-foo", null));
        assertThat(github.resolve(c("foo", "git@github.com:x/lib-foo.git", "main"), false, project))
                .isEqualTo(new GitOrigin("git@github.com:x/lib-foo.git", "main"));
        assertThat(github.resolve(c("foo", "ssh://git@host/x/foo.git", null), false, project))
                .isEqualTo(new GitOrigin("ssh://git@host/x/foo.git", null));
        assertThat(github.resolve(c("foo", "file:///srv/git/foo", "stable"), false, project))
                .isEqualTo(new GitOrigin("file:///srv/git/foo", "stable"));
    }

    @Test
    void unsupportedSchemeIsAnError() {
        assertThatThrownBy(() -> github.resolve(c("foo", "svn://host/foo", null), false, project))
                .isInstanceOf(UserException.class).hasMessageContaining("svn");
    }

    @Test
    void describeIsShort() {
        assertThat(new GitOrigin("https://h/x", "stable").describe()).isEqualTo("https://h/x (stable)");
        assertThat(new GitOrigin("https://h/x", null).describe()).isEqualTo("https://h/x");
        assertThat(new ArchiveOrigin(URI.create("https://h/x.tgz"), null).describe()).isEqualTo("https://h/x.tgz");
        assertThat(new LocalOrigin(Path.of("/a/b")).describe()).isEqualTo("/a/b");
    }

    @Test
    void defaultOriginFromAFileMirrorWithDotGitFolders() throws Exception {
        Path mirror = Files.createDirectories(project.resolve("mirror/unikraft.git"));
        OriginResolver r = new OriginResolver(mirror.getParent().toUri().toString());
        GitOrigin o = (GitOrigin) r.resolve(new Component("unikraft", null, null, Map.of()), true, project);
        assertThat(o.url()).endsWith("/unikraft.git");
        Files.createDirectories(project.resolve("mirror/unikraft"));
        GitOrigin plain = (GitOrigin) r.resolve(new Component("unikraft", null, null, Map.of()), true, project);
        assertThat(plain.url()).endsWith("/unikraft");
    }
}
