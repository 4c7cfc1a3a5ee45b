package dev.callstream.examples;

import dev.callstream.testkit.AudioSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What a receiver should hear: the testkit's mu-law frames decoded with the ITU-T G.711 table kept in
 * callstream-core's test resources (independent of the code under test).
 */
final class MulawReference {
  private static final Path TABLE = Path.of("../callstream-core/src/test/resources/g711/g711-mulaw-decode.csv");

  private final short[] pcm = new short[256];

  private MulawReference() {}

  static MulawReference load() throws IOException {
    MulawReference reference = new MulawReference();
    List<String> lines = Files.readAllLines(TABLE);
    for (String line : lines.subList(1, lines.size())) {
      String[] cells = line.split(",");
      reference.pcm[Integer.parseInt(cells[0].trim())] = Short.parseShort(cells[1].trim());
    }
    return reference;
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
