package io.jkraft.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class DigestTest {
    /** sha256sum of "hello", computed outside jkraft. */
    private static final String HELLO = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";

    @Test
    void theOciFormIsReadAndWrittenBack() {
        Digest d = Digest.parse("sha256:" + HELLO);
        assertThat(d.algorithm()).isEqualTo("sha256");
        assertThat(d.hex()).isEqualTo(HELLO);
        assertThat(d).hasToString("sha256:" + HELLO);
        assertThat(Digest.isValid("sha256:" + HELLO)).isTrue();
    }

    @Test
    void bytesAndStreamsDigestAsSha256sumDoes() throws Exception {
        byte[] hello = "hello".getBytes(StandardCharsets.UTF_8);
        assertThat(Digest.of(hello)).isEqualTo(Digest.parse("sha256:" + HELLO));

        Digest.Hasher hasher = Digest.hasher();
        ByteArrayOutputStream copy = new ByteArrayOutputStream();
        try (OutputStream out = hasher.adding(copy)) {
            out.write(hello, 0, 2);
            out.write(hello, 2, 3);
        }
        assertThat(copy.toByteArray()).isEqualTo(hello);
        assertThat(hasher.digest().hex()).isEqualTo(HELLO);
        assertThat(Digest.hasher().update("he").update(hello, 2, 3).digest().hex()).isEqualTo(HELLO);
    }

    @Test
    void badDigestsAreRefusedSayingWhatIsWrong() {
        assertRefused("", "it is empty");
        assertRefused(HELLO, "it names no algorithm (it should start with 'sha256:')");
        assertRefused("sha512:" + HELLO, "its algorithm is 'sha512', and jkraft checks sha256 digests only");
        assertRefused("sha256:abc", "it has 3 characters after 'sha256:', where 64 hex digits belong");
        String notHex = "the characters after 'sha256:' are not all lower-case hex digits (0-9, a-f)";
        assertRefused("sha256:" + HELLO.toUpperCase(), notHex);
        assertRefused("sha256:" + "../".repeat(21) + "x", notHex);
        assertThatThrownBy(() -> Digest.parse(null)).isInstanceOf(UserException.class).hasMessageContaining("empty");
    }

    private static void assertRefused(String text, String why) {
        assertThat(Digest.isValid(text)).as(text).isFalse();
        assertThatThrownBy(() -> Digest.parse(text)).isInstanceOf(UserException.class)
                .hasMessage("'" + text + "' is not a digest: " + why)
                .extracting(e -> ((UserException) e).hint()).asString().contains("sha256:");
    }

    @Test
    void bareHexAsSha256sumPrintsItIsTakenInEitherCase() {
        assertThat(Digest.isSha256Hex(HELLO.toUpperCase())).isTrue();
        assertThat(Digest.ofSha256Hex(HELLO.toUpperCase())).isEqualTo(Digest.parse("sha256:" + HELLO));
        assertThat(Digest.isSha256Hex("sha256:" + HELLO)).isFalse();
        assertThat(Digest.isSha256Hex(HELLO.substring(1))).isFalse();
        assertThatThrownBy(() -> Digest.ofSha256Hex("xyz")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void asJsonADigestIsItsOciString() throws Exception {
        ObjectMapper json = new ObjectMapper();
        record Holder(Digest digest, List<Digest> more) {}
        Holder h = new Holder(Digest.parse("sha256:" + HELLO), List.of(Digest.of(new byte[0])));
        String text = json.writeValueAsString(h);
        assertThat(text).isEqualTo("{\"digest\":\"sha256:" + HELLO + "\",\"more\":[\"sha256:"
                + "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"]}");
        assertThat(json.readValue(text, Holder.class)).isEqualTo(h);
        assertThatThrownBy(() -> json.readValue("{\"digest\":\"md5:1\"}", Holder.class))
                .hasRootCauseInstanceOf(UserException.class).hasRootCauseMessage("'md5:1' is not a digest: "
                        + "its algorithm is 'md5', and jkraft checks sha256 digests only");
    }
}
