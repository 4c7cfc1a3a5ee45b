package dev.callstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callstream.testkit.AudioSource;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What a recording looks like on disk while (or after) its writer runs: the sizes its WAV header
 * declares, as a player reads them, without requiring them to match the file yet.
 */
final class RecordTestDisk {
  static final int HEADER_BYTES = 44;

  private RecordTestDisk() {}

  /** The data size the header of {@code file} declares now; 0 while the file or its header is missing. */
  static long declaredDataBytes(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
      while (header.hasRemaining() && channel.read(header) >= 0) {
        // a header is written in one piece; a short read only means it is not there yet
      }
      return header.hasRemaining() ? 0 : Integer.toUnsignedLong(header.getInt(40));
    } catch (NoSuchFileException e) {
      return 0;
    }
  }

  /**
   * Reads {@code file} as a player would, by its header: a consistent 16-bit PCM WAV header
   * (RIFF size = 36 + data size, data size a whole number of sample frames and no larger than what
   * the file holds), returning the samples it declares.
   */
  static short[] declaredSamples(Path file, int channels) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    assertThat(bytes.length).as("%s length", file).isGreaterThanOrEqualTo(HEADER_BYTES);
    ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(ascii(bytes, 0) + ascii(bytes, 8) + ascii(bytes, 12) + ascii(bytes, 36))
        .as("%s chunk tags", file).isEqualTo("RIFFWAVEfmt data");
    assertThat(buffer.getInt(16)).as("%s fmt size", file).isEqualTo(16);
    assertThat(buffer.getShort(20)).as("%s PCM", file).isEqualTo((short) 1);
    assertThat(buffer.getShort(22)).as("%s channels", file).isEqualTo((short) channels);
    assertThat(buffer.getInt(24)).as("%s sample rate", file).isEqualTo(8000);
    assertThat(buffer.getShort(34)).as("%s bits", file).isEqualTo((short) 16);
    long data = Integer.toUnsignedLong(buffer.getInt(40));
    long riff = Integer.toUnsignedLong(buffer.getInt(4));
    assertThat(riff).as("%s RIFF size = 36 + data size", file).isEqualTo(36 + data);
    assertThat(data).as("%s declared data within the file", file).isLessThanOrEqualTo(bytes.length - HEADER_BYTES);
    assertThat(data % (2L * channels)).as("%s whole sample frames", file).isZero();
    short[] samples = new short[(int) (data / 2)];
    buffer.position(HEADER_BYTES);
    buffer.asShortBuffer().get(samples);
    return samples;
  }

  /** The first {@code frames} frames of {@code source}. */
  static byte[] mulaw(AudioSource source, int frames) {
    byte[] mulaw = new byte[frames * AudioSource.FRAME_BYTES];
    byte[] frame = new byte[AudioSource.FRAME_BYTES];
    for (int i = 0; i < frames; i++) {
      source.readFrame(i, frame);
      System.arraycopy(frame, 0, mulaw, i * AudioSource.FRAME_BYTES, AudioSource.FRAME_BYTES);
    }
    return mulaw;
  }

  /** {@code expected[0, actual.length)} equals {@code actual}, reporting the first difference. */
  static void assertPrefix(short[] actual, short[] expected, String what) {
    assertThat(actual.length).as("%s: samples declared", what).isLessThanOrEqualTo(expected.length);
    for (int i = 0; i < actual.length; i++) {
      if (actual[i] != expected[i]) {
        throw new AssertionError(what + ": sample " + i + " is " + actual[i] + ", expected " + expected[i]);
      }
    }
  }

  /** When {@code sox} is installed: {@code sox --i -s FILE}, the sample frames SoX reads from the file; else -1. */
  static long soxSampleFrames(Path file) throws IOException, InterruptedException {
    if (!onPath("sox")) {
      return -1;
    }
    Process sox = new ProcessBuilder("sox", "--i", "-s", file.toString()).redirectErrorStream(true).start();
    String output = new String(sox.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertThat(sox.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(sox.exitValue()).as("sox --i %s: %s", file, output).isZero();
    return Long.parseLong(output);
  }

  private static boolean onPath(String program) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    List<String> dirs = new ArrayList<>(List.of(path.split(File.pathSeparator)));
    return dirs.stream().anyMatch(dir -> !dir.isEmpty() && Files.isExecutable(Path.of(dir, program)));
  }

  private static String ascii(byte[] bytes, int offset) {
    return new String(bytes, offset, 4, StandardCharsets.US_ASCII);
  }
}
