package dev.callstream.core.audio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callstream.testsupport.G711Reference;
import java.util.Random;
import org.junit.jupiter.api.Test;

class G711Test {

  @Test
  void mulawDecodesEveryCodeLikeTheReference() {
    short[] expected = G711Reference.mulaw();
    for (int code = 0; code < 256; code++) {
      assertThat(G711.mulawToPcm((byte) code)).as("mu-law code %d", code).isEqualTo(expected[code]);
    }
  }

  @Test
  void alawDecodesEveryCodeLikeTheReference() {
    short[] expected = G711Reference.alaw();
    for (int code = 0; code < 256; code++) {
      assertThat(G711.alawToPcm((byte) code)).as("A-law code %d", code).isEqualTo(expected[code]);
    }
  }

  @Test
  void mulawEncodeInvertsDecodeForEveryCodeExceptNegativeZero() {
    for (int code = 0; code < 256; code++) {
      byte back = G711.pcmToMulaw(G711.mulawToPcm((byte) code));
      // 0x7F ("-0") and 0xFF ("+0") both decode to 0; encoding 0 gives the canonical 0xFF.
      int expected = code == 0x7F ? 0xFF : code;
      assertThat(back & 0xff).as("mu-law code %d", code).isEqualTo(expected);
    }
  }

  @Test
  void alawEncodeInvertsDecodeForEveryCode() {
    for (int code = 0; code < 256; code++) {
      assertThat(G711.pcmToAlaw(G711.alawToPcm((byte) code)) & 0xff).as("A-law code %d", code).isEqualTo(code);
    }
  }

  @Test
  void encodingIsMonotonicOverTheWholePcmRange() {
    int previousMu = Integer.MIN_VALUE;
    int previousA = Integer.MIN_VALUE;
    for (int sample = Short.MIN_VALUE; sample <= Short.MAX_VALUE; sample++) {
      int mu = G711.mulawToPcm(G711.pcmToMulaw((short) sample));
      int a = G711.alawToPcm(G711.pcmToAlaw((short) sample));
      assertThat(mu).as("mu-law at %d", sample).isGreaterThanOrEqualTo(previousMu);
      assertThat(a).as("A-law at %d", sample).isGreaterThanOrEqualTo(previousA);
      previousMu = mu;
      previousA = a;
    }
    assertThat(G711.mulawToPcm(G711.pcmToMulaw(Short.MIN_VALUE))).isEqualTo((short) -32124);
    assertThat(G711.mulawToPcm(G711.pcmToMulaw(Short.MAX_VALUE))).isEqualTo((short) 32124);
    assertThat(G711.alawToPcm(G711.pcmToAlaw(Short.MIN_VALUE))).isEqualTo((short) -32256);
    assertThat(G711.alawToPcm(G711.pcmToAlaw(Short.MAX_VALUE))).isEqualTo((short) 32256);
  }

  @Test
  void encodingPicksANearbyLevel() {
    // the quantization error of G.711 is at most half of the largest step (1024 for mu-law, 512 for A-law) plus the bias
    for (int sample = Short.MIN_VALUE; sample <= Short.MAX_VALUE; sample += 7) {
      assertThat(Math.abs(G711.mulawToPcm(G711.pcmToMulaw((short) sample)) - sample)).isLessThanOrEqualTo(1024);
      assertThat(Math.abs(G711.alawToPcm(G711.pcmToAlaw((short) sample)) - sample)).isLessThanOrEqualTo(1024);
    }
  }

  @Test
  void bulkDecodeEqualsPerSampleDecodeAtOffsets() {
    byte[] src = new byte[300];
    new Random(7).nextBytes(src);
    byte[] mu = new byte[2 * 256 + 3];
    byte[] a = new byte[2 * 256 + 3];
    G711.mulawToPcm16le(src, 5, 256, mu, 3);
    G711.alawToPcm16le(src, 5, 256, a, 3);
    for (int i = 0; i < 256; i++) {
      short expectedMu = G711.mulawToPcm(src[5 + i]);
      short expectedA = G711.alawToPcm(src[5 + i]);
      assertThat((short) ((mu[3 + 2 * i] & 0xff) | (mu[4 + 2 * i] << 8))).isEqualTo(expectedMu);
      assertThat((short) ((a[3 + 2 * i] & 0xff) | (a[4 + 2 * i] << 8))).isEqualTo(expectedA);
    }
    assertThat(mu[0]).isZero();
  }

  @Test
  void bulkDecodeRejectsOutOfRangeArguments() {
    byte[] src = new byte[10];
    byte[] dst = new byte[19];
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> G711.mulawToPcm16le(src, 0, 10, dst, 0))
        .isInstanceOf(IndexOutOfBoundsException.class);
  }
}
