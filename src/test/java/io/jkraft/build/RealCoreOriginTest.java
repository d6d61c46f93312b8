package io.jkraft.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jkraft.common.Invocation;
import io.jkraft.config.JkraftConfig;
import io.jkraft.config.JkraftPaths;
import io.jkraft.origin.FetchedOrigin;
import io.jkraft.testing.OriginFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * jkraft's wget under the real core's fetch rules ({@code fetch}, {@code _chksum_origin}, {@code unarchive} of
 * support/build/Makefile.rules): a library of the test's own whose Makefile.uk fetches a tar.gz from a local HTTP
 * server and declares its sha256. Needs a Unikraft checkout in {@code JKRAFT_TEST_UNIKRAFT} (as RealUnikraftTest).
 */
@Tag("unikraft")
class RealCoreOriginTest {
    @TempDir
    Path tmp;

    @Test
    void theRealCoresFetchRuleGetsTheArchiveThroughJkraftWithTheLibrarysSum() throws Exception {
        String core = System.getenv("JKRAFT_TEST_UNIKRAFT");
        assumeTrue(core != null && !core.isBlank(),
                "JKRAFT_TEST_UNIKRAFT is not set: point it at a Unikraft checkout to fetch through its rules");
        byte[] archive = OriginFixture.archive(OriginFixture.SAYS);
        try (OriginFixture server = new OriginFixture()) {
            server.serve("/dl/" + OriginFixture.ARCHIVE, archive);
            Path lib = OriginFixture.library(tmp.resolve("liborigin"), server.url("/dl/" + OriginFixture.ARCHIVE),
                    OriginFixture.sha256(archive));
            // a file of the same name that is not the one the library declares: refused, so the sum reached jkraft
            Path folder = Files.createDirectories(tmp.resolve("archives"));
            Files.write(folder.resolve(OriginFixture.ARCHIVE), OriginFixture.archive("not this one"));
            Path app = Files.createDirectories(tmp.resolve("app"));
            Files.writeString(app.resolve("Kraftfile"), """
                    spec: v0.6
                    name: origins
                    unikraft:
                      source: %s
                    libraries:
                      liborigin:
                        source: %s
                    targets: [qemu/x86_64]
                    """.formatted(Path.of(core).toAbsolutePath(), lib));
            JkraftPaths paths = new JkraftPaths(tmp.resolve("c"), tmp.resolve("d"), tmp.resolve("s"), tmp.resolve("k"));
            BuildService service = new BuildService(new JkraftConfig("https://unused.invalid/unikraft")
                    .withOriginArchives(List.of(folder.toString())), paths, Invocation.ofThisProcess(), BuildListener.SILENT);

            List<FetchedOrigin> fetched = service.fetch(new BuildRequest(app, null, null, null, List.of(), false, 2,
                    false, false, false, Map.of(), null));

            assertThat(fetched).singleElement().satisfies(f -> {
                assertThat(f.key()).isEqualTo("liborigin/" + OriginFixture.ARCHIVE);
                assertThat(f.from()).isEqualTo(server.url("/dl/" + OriginFixture.ARCHIVE));
            });
            Path build = app.resolve(".unikraft/build/origins_qemu-x86_64.d/liborigin");
            assertThat(build.resolve(OriginFixture.ARCHIVE)).hasBinaryContent(archive);
            assertThat(build.resolve(".chksum")).as("the core's own check passed").exists();
            assertThat(build.resolve("origin/origin-1.0/origin.c")).as("the core unpacked it").isRegularFile();
            assertThat(app.resolve("Kraftfile.lock")).content().contains("sha256:" + OriginFixture.sha256(archive));
        }
    }
}
