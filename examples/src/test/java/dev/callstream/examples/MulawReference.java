package dev.callstream.examples;

import dev.callstream.testsupport.G711Reference;
import dev.callstream.testkit.AudioSource;
import java.io.ByteArrayOutputStream;

/**
 * What a receiver should hear: the testkit's mu-law frames decoded with the ITU-T G.711 table kept in
 * callstream-core's test resources (independent of the code under test).
 */
final class MulawReference {
  private final short[] pcm = G711Reference.mulaw();

  private MulawReference() {}

  static MulawReference load() {
    return new MulawReference();
  }

  /** A finite source decoded to 16-bit little-endian PCM. */
  byte[] decode(AudioSource source) {
    byte[] frame = new byte[AudioSource.FRAME_BYTES];
    byte[] out = new byte[Math.toIntExact(source.frameCount() * AudioSource.FRAME_BYTES * 2)];
    int at = 0;
    for (long index = 0; index < source.frameCount(); index++) {
      source.readFrame(index, frame);
      for (byte code : frame) {
        short sample = pcm[code & 0xff];
        out[at++] = (byte) sample;
        out[at++] = (byte) (sample >> 8);
      }
    }
    return out;
  }

  /** The sources one after the other, as one source. */
  static AudioSource concat(AudioSource... parts) {
    ByteArrayOutputStream mulaw = new ByteArrayOutputStream();
    byte[] frame = new byte[AudioSource.FRAME_BYTES];
    for (AudioSource part : parts) {
      for (long index = 0; index < part.frameCount(); index++) {
        part.readFrame(index, frame);
        mulaw.writeBytes(frame);
      }
    }
    return AudioSource.ofMulaw(mulaw.toByteArray());
  }
}
