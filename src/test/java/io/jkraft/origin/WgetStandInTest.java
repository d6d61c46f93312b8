package io.jkraft.origin;

import static org.assertj.core.api.Assertions.assertThat;

import io.jkraft.common.Digest;
import io.jkraft.common.UserException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stand-in's script run by bash, as make runs it, against a fetcher of the test's own. */
class WgetStandInTest {
    @TempDir
    Path dir;

    record Ran(int status, String err) {}

    private Ran wget(WgetStandIn standIn, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(standIn.script().toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Ran(p.exitValue(), err);
    }

    @Test
    void aFetchedFileIsOkAndAFailureIsOneMessageOnStderrAndRemembered() throws Exception {
        Path folder;
        try (WgetStandIn standIn = WgetStandIn.start(r -> {
            if (r.url().endsWith("/missing.tgz")) {
                throw new UserException("cannot fetch " + r.url() + "; looked in:\n    somewhere: not there", "put it there");
            }
            try {
                Files.createDirectories(r.output().getParent());
                Files.writeString(r.output(), "content of " + r.url());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return new FetchedOrigin(r.lockKey(), r.url(), r.output(), "test", Digest.of(new byte[0]), true);
        })) {
            folder = standIn.script().getParent();
            assertThat(Files.getPosixFilePermissions(folder)).isEqualTo(PosixFilePermissions.fromString("rwx------"));

            Ran ok = wget(standIn, "-q", "--show-progress", "--progress=bar", "-O", "libx/x.tgz", "http://h/x.tgz");
            assertThat(ok.status()).isZero();
            assertThat(dir.resolve("libx/x.tgz")).as("-O relative to wget's folder").hasContent("content of http://h/x.tgz");
            assertThat(standIn.fetched()).singleElement().satisfies(f -> assertThat(f.key()).isEqualTo("libx/x.tgz"));

            Ran failed = wget(standIn, "-q", "-O", dir.resolve("libx/missing.tgz").toString(), "http://h/missing.tgz");
            assertThat(failed.status()).isNotZero();
            assertThat(failed.err()).isEqualTo("cannot fetch http://h/missing.tgz; looked in:\n    somewhere: not there\n"
                    + "hint: put it there\n");
            assertThat(standIn.failure()).get().satisfies(e -> assertThat(e.hint()).isEqualTo("put it there"));

            Ran unknown = wget(standIn, "--tries=3", "http://h/x.tgz");
            assertThat(unknown.status()).isNotZero();
            assertThat(unknown.err()).contains("does not know the option --tries=3");
            try (var left = Files.list(folder)) {
                assertThat(left.map(p -> p.getFileName().toString())).as("each call cleans up after itself")
                        .containsExactlyInAnyOrder("wget", "requests");
            }
        }
        assertThat(folder).doesNotExist();
    }
}
