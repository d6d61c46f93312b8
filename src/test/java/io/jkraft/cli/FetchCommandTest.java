package io.jkraft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jkraft.testing.FixtureRepos;
import io.jkraft.testing.OriginFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jkraft fetch} with the fixture core: origin archives from a folder named in JKRAFT_ORIGIN_ARCHIVES and a server. */
class FetchCommandTest {
    private static final String DL = "/dl/" + OriginFixture.ARCHIVE;

    @TempDir
    Path tmp;
    private MachineCli cli;
    private OriginFixture server;
    private Path app;
    private byte[] archive;

    @BeforeEach
    void setUp() throws Exception {
        FixtureRepos repos = FixtureRepos.create(tmp.resolve("mirror"));
        server = new OriginFixture();
        archive = OriginFixture.archive(OriginFixture.SAYS);
        app = OriginFixture.app(tmp.resolve("app"), OriginFixture.library(tmp.resolve("lib"), server.url(DL), null));
        cli = new MachineCli(tmp.resolve("j")).withEnv("JKRAFT_ORIGIN_BASE", repos.base().toUri().toString());
    }

    @AfterEach
    void tearDown() throws Exception {
        server.close();
        cli.cleanUp();
    }

    @Test
    void fetchTakesTheArchiveFromTheFolderOfTheVariableAndListsIt() throws Exception {
        Path folder = Files.createDirectories(tmp.resolve("air-gapped mirror"));
        Files.write(folder.resolve(OriginFixture.ARCHIVE), archive);
        cli.withEnv("JKRAFT_ORIGIN_ARCHIVES", tmp.resolve("nothing here") + ":" + folder);

        MachineCli.Result r = cli.ok("fetch", app.toString());

        assertThat(r.out()).contains("ORIGIN", "liborigin/" + OriginFixture.ARCHIVE, OriginFixture.sha256(archive).substring(0, 12),
                "folder " + folder);
        assertThat(r.err()).contains("origin liborigin/" + OriginFixture.ARCHIVE + ": from folder " + folder);
        assertThat(server.requests(DL)).isZero();
        assertThat(app.resolve(".unikraft/build/hello_qemu-x86_64.d/liborigin/" + OriginFixture.ARCHIVE)).hasBinaryContent(archive);
        assertThat(app.resolve("Kraftfile.lock")).content().contains(OriginFixture.sha256(archive));
    }

    @Test
    void fetchAsJsonNamesWhereEachArchiveCameFrom() throws Exception {
        server.serve(DL, archive);

        JsonNode list = new ObjectMapper().readTree(cli.ok("fetch", "-o", "json", app.toString()).out());

        assertThat(list).singleElement().satisfies(o -> {
            assertThat(o.get("origin").asText()).isEqualTo("liborigin/" + OriginFixture.ARCHIVE);
            assertThat(o.get("from").asText()).isEqualTo(server.url(DL));
            assertThat(o.get("downloaded").asBoolean()).isTrue();
            assertThat(o.get("sha256").asText()).isEqualTo("sha256:" + OriginFixture.sha256(archive));
        });
    }

    @Test
    void aMissingArchiveIsOneErrorNamingTheUrlAndThePlacesAndAChangedOneNeedsUpdateLock() throws Exception {
        MachineCli.Result missing = cli.run("fetch", app.toString());

        assertThat(missing.status()).isNotZero();
        assertThat(missing.errors()).singleElement().asString().contains("cannot fetch the origin archive", server.url(DL));
        assertThat(missing.err()).contains("the cache ", server.url(DL) + ": HTTP 404", "JKRAFT_ORIGIN_ARCHIVES")
                .doesNotContain("Exception");

        server.serve(DL, archive);
        cli.ok("fetch", app.toString());
        server.serve(DL, OriginFixture.archive("changed upstream"));
        io.jkraft.common.FileTrees.deleteRecursively(app.resolve(".unikraft"));
        MachineCli.Result changed = cli.run("fetch", "--no-cache", app.toString());
        assertThat(changed.status()).isNotZero();
        assertThat(changed.err()).contains("recorded " + OriginFixture.sha256(archive), "jkraft fetch --update-lock");

        assertThat(cli.ok("fetch", "--no-cache", "--update-lock", app.toString()).out()).contains(server.url(DL));
    }
}
