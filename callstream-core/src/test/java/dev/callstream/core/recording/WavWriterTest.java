package dev.callstream.core.recording;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.callstream.core.WavFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WavWriterTest {

  @TempDir Path dir;
  private final AtomicLong nanos = new AtomicLong();

  @Test
  void monoPcmHeaderIsTheCanonical44Bytes() throws IOException {
    Path file = dir.resolve("mono.wav");
    try (WavWriter writer = WavWriter.pcm16(file, 8000, 1)) {
      writer.write(pcm((short) 1, (short) -2, (short) 32767), 0, 6);
    }
    byte[] bytes = Files.readAllBytes(file);
    ByteBuffer expected = ByteBuffer.allocate(50).order(ByteOrder.LITTLE_ENDIAN);
    expected.put(ascii("RIFF")).putInt(36 + 6).put(ascii("WAVE"));
    expected.put(ascii("fmt ")).putInt(16).putShort((short) 1).putShort((short) 1).putInt(8000).putInt(16000)
        .putShort((short) 2).putShort((short) 16);
    expected.put(ascii("data")).putInt(6);
    expected.putShort((short) 1).putShort((short) -2).putShort((short) 32767);
    assertThat(bytes).isEqualTo(expected.array());
  }

  @Test
  void stereoPcmRoundTripsInterleavedSamples() throws IOException {
    Path file = dir.resolve("stereo.wav");
    short[] samples = new short[2 * 1000];
    for (int i = 0; i < samples.length; i++) {
      samples[i] = (short) (i * 31 - 20000);
    }
    try (WavWriter writer = WavWriter.pcm16(file, 16000, 2)) {
      byte[] bytes = pcm(samples);
      writer.write(bytes, 0, 400);
      writer.write(bytes, 400, bytes.length - 400);
      assertThat(writer.sampleFrames()).isEqualTo(1000);
      assertThat(writer.duration()).isEqualTo(Duration.ofNanos(62_500_000));
    }
    WavFile wav = WavFile.read(file);
    assertThat(wav.formatTag()).isEqualTo(1);
    assertThat(wav.channels()).isEqualTo(2);
    assertThat(wav.sampleRate()).isEqualTo(16000);
    assertThat(wav.byteRate()).isEqualTo(64000);
    assertThat(wav.blockAlign()).isEqualTo(4);
    assertThat(wav.bitsPerSample()).isEqualTo(16);
    assertThat(wav.dataSize()).isEqualTo(4000);
    assertThat(wav.riffSize()).isEqualTo(wav.fileLength() - 8);
    assertThat(wav.samples()).containsExactly(samples);
  }

  @Test
  void mulawFileHasFormatTag7FactChunkAndPadByteForOddLength() throws IOException {
    Path file = dir.resolve("mulaw.wav");
    try (WavWriter writer = WavWriter.mulaw(file, 8000)) {
      writer.write(new byte[] {0x01, 0x7f, (byte) 0x80}, 0, 3);
      writer.writeSilence(2);
    }
    WavFile wav = WavFile.read(file);
    assertThat(wav.fmtSize()).isEqualTo(18);
    assertThat(wav.formatTag()).isEqualTo(7);
    assertThat(wav.channels()).isEqualTo(1);
    assertThat(wav.blockAlign()).isEqualTo(1);
    assertThat(wav.bitsPerSample()).isEqualTo(8);
    assertThat(wav.byteRate()).isEqualTo(8000);
    assertThat(wav.factSamples()).isEqualTo(5);
    assertThat(wav.dataSize()).isEqualTo(5);
    assertThat(wav.data()).containsExactly(0x01, 0x7f, 0x80, 0xff, 0xff);
    assertThat(wav.fileLength()).isEqualTo(58 + 5 + 1);
    assertThat(wav.riffSize()).isEqualTo(wav.fileLength() - 8);
  }

  @Test
  void headerIsPatchedOncePerSecondWhileWritingSoAnUnclosedFileIsValid() throws IOException {
    Path file = dir.resolve("live.wav");
    WavWriter writer = WavWriter.pcm16(file, 8000, 1, nanos::get, Duration.ofSeconds(1));
    short[] first = ramp(0, 160);
    writer.write(pcm(first), 0, 320);
    // Less than a second: data stays buffered, the header still says 0 bytes.
    assertThat(WavFile.read(file).dataSize()).isZero();

    nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(1000));
    short[] second = ramp(160, 160);
    writer.write(pcm(second), 0, 320);
    WavFile live = WavFile.read(file);
    assertThat(live.dataSize()).isEqualTo(640);
    assertThat(live.riffSize()).isEqualTo(live.fileLength() - 8);
    assertThat(live.samples()).containsExactly(ramp(0, 320));

    nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(400));
    writer.writeSilence(160);
    assertThat(WavFile.read(file).dataSize()).as("not yet due").isEqualTo(640);
    nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(600));
    writer.writeSilence(160);
    WavFile later = WavFile.read(file);
    assertThat(later.dataSize()).isEqualTo(1280);
    assertThat(later.riffSize()).isEqualTo(later.fileLength() - 8);
    assertThat(Arrays.copyOfRange(later.samples(), 320, 640)).containsOnly((short) 0);
    // Simulated crash: the writer is never closed; the file on disk is already consistent.
    assertThat(WavWriter.repair(file)).isFalse();
  }

  @Test
  void writesLargerThanTheBufferGoStraightToTheFileInOrder() throws IOException {
    Path file = dir.resolve("big.wav");
    short[] samples = ramp(-30000, 30000);
    try (WavWriter writer = WavWriter.pcm16(file, 8000, 1)) {
      writer.write(pcm(ramp(-30000, 10)), 0, 20);
      byte[] rest = pcm(Arrays.copyOfRange(samples, 10, samples.length));
      writer.write(rest, 0, rest.length);
    }
    assertThat(WavFile.read(file).samples()).containsExactly(samples);
  }

  @Test
  void writeAtAndReadAtPatchDataBothBufferedAndOnDisk() throws IOException {
    Path file = dir.resolve("patch.wav");
    try (WavWriter writer = WavWriter.pcm16(file, 8000, 2)) {
      writer.writeSilence(20_000); // 80,000 bytes: most of it already on disk, the tail buffered
      writer.writeAt(4, pcm((short) 7, (short) 8), 0, 4);
      writer.writeAt(79_996, pcm((short) 9, (short) 10), 0, 4);
      byte[] back = new byte[4];
      writer.readAt(4, back, 0, 4);
      assertThat(back).isEqualTo(pcm((short) 7, (short) 8));
      assertThatThrownBy(() -> writer.writeAt(79_998, new byte[4], 0, 4)).isInstanceOf(IllegalArgumentException.class);
      writer.write(pcm((short) 11, (short) 12), 0, 4);
    }
    short[] samples = WavFile.read(file).samples();
    assertThat(samples).hasSize(40_002);
    assertThat(Arrays.copyOfRange(samples, 0, 4)).containsExactly(0, 0, 7, 8);
    assertThat(Arrays.copyOfRange(samples, 39_996, 40_002)).containsExactly(0, 0, 9, 10, 11, 12);
  }

  @Test
  void rejectsPartialSampleFramesAndWritesAfterClose() throws IOException {
    WavWriter writer = WavWriter.pcm16(dir.resolve("x.wav"), 8000, 2);
    assertThatThrownBy(() -> writer.write(new byte[6], 0, 6)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("blockAlign 4");
    writer.close();
    writer.close(); // idempotent
    assertThatThrownBy(() -> writer.write(new byte[4], 0, 4)).isInstanceOf(IOException.class);
  }

  @Test
  void repairFixesSizesThatACrashLeftBehindAndCutsAPartialFrame() throws IOException {
    Path file = dir.resolve("crashed.wav");
    short[] samples = ramp(100, 800);
    try (WavWriter writer = WavWriter.pcm16(file, 8000, 2)) {
      writer.write(pcm(samples), 0, 1600);
    }
    // What a crash leaves: header sizes from long ago, data after it, half a sample frame at the end.
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      channel.write(le(36), 4);
      channel.write(le(0), 40);
      channel.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), channel.size());
    }
    assertThat(WavFile.read(file).dataSize()).isZero();

    assertThat(WavWriter.repair(file)).isTrue();
    WavFile repaired = WavFile.read(file);
    assertThat(repaired.dataSize()).isEqualTo(1600);
    assertThat(repaired.fileLength()).isEqualTo(44 + 1600);
    assertThat(repaired.riffSize()).isEqualTo(repaired.fileLength() - 8);
    assertThat(repaired.samples()).containsExactly(samples);
    assertThat(WavWriter.repair(file)).as("second repair finds nothing to do").isFalse();
  }

  @Test
  void repairFixesTheFactChunkOfMulawAndKeepsAProperPadByte() throws IOException {
    Path file = dir.resolve("mulaw.wav");
    try (WavWriter writer = WavWriter.mulaw(file, 8000)) {
      writer.write(new byte[] {1, 2, 3}, 0, 3);
    }
    assertThat(WavWriter.repair(file)).as("closed file with pad byte is consistent").isFalse();
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      channel.write(le(0), 46);
      channel.write(le(0), 54);
    }
    assertThat(WavWriter.repair(file)).isTrue();
    WavFile wav = WavFile.read(file);
    assertThat(wav.factSamples()).isEqualTo(4);
    assertThat(wav.dataSize()).isEqualTo(4);
    assertThat(wav.riffSize()).isEqualTo(wav.fileLength() - 8);
  }

  @Test
  void repairRefusesAFileThatIsNotWav() throws IOException {
    Path file = Files.write(dir.resolve("text.wav"), "hello, this is not audio".getBytes(StandardCharsets.US_ASCII));
    assertThatThrownBy(() -> WavWriter.repair(file)).isInstanceOf(IOException.class).hasMessageContaining("RIFF");
  }

  @Test
  void soxReadsRateChannelsAndLengthOfClosedAndUnclosedFiles() throws Exception {
    assumeTrue(onPath("soxi"), "soxi (SoX) is not on PATH: external WAV check skipped");
    Path stereo = dir.resolve("stereo.wav");
    try (WavWriter writer = WavWriter.pcm16(stereo, 8000, 2)) {
      writer.writeSilence(4000);
      byte[] tone = pcm(ramp(0, 8000));
      writer.write(tone, 0, tone.length);
    }
    assertThat(soxi("-r", stereo)).isEqualTo("8000");
    assertThat(soxi("-c", stereo)).isEqualTo("2");
    assertThat(soxi("-s", stereo)).isEqualTo("8000");
    assertThat(soxi("-D", stereo)).isEqualTo("1.000000");

    Path mulaw = dir.resolve("mulaw.wav");
    try (WavWriter writer = WavWriter.mulaw(mulaw, 8000)) {
      writer.writeSilence(801);
    }
    assertThat(soxi("-e", mulaw)).isEqualTo("u-law");
    assertThat(soxi("-s", mulaw)).isEqualTo("801");

    Path live = dir.resolve("live.wav");
    WavWriter unclosed = WavWriter.pcm16(live, 8000, 1, nanos::get, Duration.ofSeconds(1));
    unclosed.writeSilence(8000);
    nanos.addAndGet(TimeUnit.SECONDS.toNanos(1));
    unclosed.writeSilence(8000);
    assertThat(soxi("-c", live)).isEqualTo("1");
    assertThat(soxi("-s", live)).isEqualTo("16000");
    unclosed.close();
  }

  static boolean onPath(String tool) {
    for (String entry : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      if (Files.isExecutable(Path.of(entry, tool))) {
        return true;
      }
    }
    return false;
  }

  static String soxi(String option, Path file) throws Exception {
    Process process = new ProcessBuilder("soxi", option, file.toString()).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as("soxi output: " + out).isZero();
    return out;
  }

  static short[] ramp(int from, int count) {
    short[] samples = new short[count];
    for (int i = 0; i < count; i++) {
      samples[i] = (short) (from + i);
    }
    return samples;
  }

  static byte[] pcm(short... samples) {
    ByteBuffer buffer = ByteBuffer.allocate(samples.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (short sample : samples) {
      buffer.putShort(sample);
    }
    return buffer.array();
  }

  private static ByteBuffer le(int value) {
    return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, value);
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
