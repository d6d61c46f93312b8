package io.jkraft.pkg.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jkraft.common.UserException;
import org.junit.jupiter.api.Test;

class ReferenceTest {

    @Test
    void aRegistryWithAPortIsKeptAndTheTagSplitOff() {
        Reference r = Reference.parse("127.0.0.1:5000/acme/hello:1.0");
        assertThat(r.registry()).isEqualTo("127.0.0.1:5000");
        assertThat(r.repository()).isEqualTo("acme/hello");
        assertThat(r.tag()).isEqualTo("1.0");
        assertThat(r.digest()).isNull();
        assertThat(r).hasToString("127.0.0.1:5000/acme/hello:1.0");
    }

    @Test
    void aBareNameGetsTheDefaultRegistryAndTag() {
        assertThat(Reference.parse("hello")).hasToString("unikraft.org/hello:latest");
        assertThat(Reference.parse("acme/hello").name()).isEqualTo("unikraft.org/acme/hello");
        assertThat(Reference.parse("unikraft.org/helloworld:latest").name()).isEqualTo("unikraft.org/helloworld");
        assertThat(Reference.parse("localhost/hello").registry()).isEqualTo("localhost");
    }

    @Test
    void aDigestReferenceHasNoDefaultTag() {
        String digest = "sha256:" + "a".repeat(64);
        Reference r = Reference.parse("hello@" + digest);
        assertThat(r.tag()).isNull();
        assertThat(r.digest()).hasToString(digest);
        assertThat(r).hasToString("unikraft.org/hello@" + digest);
    }

    @Test
    void badInputIsRefusedWithTheReason() {
        assertThatThrownBy(() -> Reference.parse("")).isInstanceOf(UserException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> Reference.parse("Hello")).isInstanceOf(UserException.class)
                .hasMessageContaining("'Hello' must be lower-case");
        assertThatThrownBy(() -> Reference.parse("hello:bad/tag:x")).isInstanceOf(UserException.class);
        assertThatThrownBy(() -> Reference.parse("hello:.x")).isInstanceOf(UserException.class)
                .hasMessageContaining("the tag '.x'");
        assertThatThrownBy(() -> Reference.parse("hello@sha256:abc")).isInstanceOf(UserException.class)
                .hasMessageContaining("digest");
        assertThatThrownBy(() -> Reference.parse("acme//hello")).isInstanceOf(UserException.class)
                .hasMessageContaining("empty path part");
        assertThatThrownBy(() -> Reference.parse("hel lo")).isInstanceOf(UserException.class)
                .hasMessageContaining("white space");
        assertThatThrownBy(() -> Reference.parse("unikraft.org/")).isInstanceOf(UserException.class);
    }
}
