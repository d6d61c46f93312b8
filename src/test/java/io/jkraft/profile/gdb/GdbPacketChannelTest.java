package io.jkraft.profile.gdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The protocol's framing and decoding rules, on byte strings written as the GDB manual describes them. */
class GdbPacketChannelTest {

    @Test
    void framesWithTheModulo256ChecksumInLowercaseHex() {
        assertThat(new String(GdbPacketChannel.frame("g"), StandardCharsets.US_ASCII)).isEqualTo("$g#67");
        // Packets as QEMU 7.2 framed them.
        assertThat(new String(GdbPacketChannel.frame("T02thread:01;"), StandardCharsets.US_ASCII))
                .isEqualTo("$T02thread:01;#04");
        assertThat(new String(GdbPacketChannel.frame("PacketSize=1000;qXfer:features:read+;vContSupported+;multiprocess+"),
                StandardCharsets.US_ASCII)).endsWith("#92");
        assertThat(new String(GdbPacketChannel.frame(""), StandardCharsets.US_ASCII)).isEqualTo("$#00");
        assertThatThrownBy(() -> GdbPacketChannel.frame("X1,1:#")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void decodesRunLengthAndEscapes() throws Exception {
        // "0* " is '0' and 3 more ('  ' is 32 - 29 = 3); "}]" is ']' ^ 0x20 = '}'.
        assertThat(decode("0* ")).isEqualTo("0000");
        assertThat(decode("ab*\"c")).isEqualTo("abbbbbbc");
        assertThat(decode("x}]y}\u0003")).isEqualTo("x}y#");
        assertThatThrownBy(() -> decode("*\"")).isInstanceOf(GdbException.class);
    }

    private static String decode(String raw) throws GdbException {
        byte[] bytes = raw.getBytes(StandardCharsets.ISO_8859_1);
        return GdbPacketChannel.decode(bytes, bytes.length);
    }
}
