package io.jkraft.origin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jkraft.common.Digest;
import io.jkraft.common.UserException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OriginLockTest {
    private static final Digest A = Digest.ofSha256Hex("a".repeat(64));
    private static final Digest B = Digest.ofSha256Hex("b".repeat(64));

    @TempDir
    Path dir;

    @Test
    void linesAreSortedReplacedAndReadBack() throws Exception {
        Path file = dir.resolve(OriginLock.FILE_NAME);
        OriginLock lock = new OriginLock(file);
        lock.record("libz/z.tgz", A, "https://z/z.tgz");
        lock.record("liba/a.zip", B, "https://a/a.zip");
        lock.record("libz/z.tgz", B, "https://z/z.tgz");

        assertThat(Files.readAllLines(file).stream().filter(l -> !l.startsWith("#")))
                .containsExactly("liba/a.zip " + B + " https://a/a.zip", "libz/z.tgz " + B + " https://z/z.tgz");
        assertThat(new OriginLock(file).recorded("libz/z.tgz")).contains(B);
        assertThat(new OriginLock(file).recorded("libq/q.tgz")).isEmpty();
        try (var left = Files.list(dir)) {
            assertThat(left).as("no temporary file left").containsExactly(file);
        }
    }

    @Test
    void aBrokenLineIsRefusedWithItsPlace() throws Exception {
        Path file = dir.resolve(OriginLock.FILE_NAME);
        Files.writeString(file, "# comment\n\nliba/a.zip sha256:1234 https://a\n");
        assertThatThrownBy(() -> new OriginLock(file).recorded("liba/a.zip")).isInstanceOf(UserException.class)
                .hasMessageStartingWith(file + ":3:1: expected '<library>/<file> sha256:<hex> <url>'");
    }
}
