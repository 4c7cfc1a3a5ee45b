package dev.callstream.examples;

import dev.callstream.testsupport.ExpectedPcm;
import dev.callstream.testkit.AudioSource;
import java.io.ByteArrayOutputStream;
import java.util.List;

/**
 * What a receiver should hear: the testkit's mu-law frames decoded with test-support's G.711
 * reference table (independent of the code under test), through {@link ExpectedPcm}.
 */
final class MulawReference {
  private MulawReference() {}

  static MulawReference load() {
    return new MulawReference();
  }

  /** A finite source decoded to 16-bit little-endian PCM. */
  byte[] decode(AudioSource source) {
    return ExpectedPcm.of(source::readFrame, AudioSource.FRAME_BYTES, source.frameCount(), List.of());
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
