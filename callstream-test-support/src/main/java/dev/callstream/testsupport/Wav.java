package dev.callstream.testsupport;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.UnsupportedAudioFileException;

/**
 * A recorded 16-bit PCM WAV file, read by the JDK's {@code javax.sound.sampled} (independent of the
 * recorder's writer), after a strict check of what a crash-safe recording promises and the JDK does
 * not check: the RIFF size and the data chunk's size both match the file's length, so a player plays
 * every sample in it.
 *
 * @param samples interleaved (left, right) for stereo
 */
public record Wav(int channels, int sampleRate, int bitsPerSample, short[] samples) {

  /**
   * Reads {@code file}.
   *
   * @throws AssertionError when the file is not a consistent 16-bit PCM WAV file
   */
  public static Wav read(Path file) throws IOException {
    checkSizes(file);
    try (InputStream bytes = new BufferedInputStream(Files.newInputStream(file));
        AudioInputStream in = AudioSystem.getAudioInputStream(bytes)) {
      AudioFormat format = in.getFormat();
      if (format.getEncoding() != AudioFormat.Encoding.PCM_SIGNED || format.getSampleSizeInBits() != 16
          || format.isBigEndian()) {
        throw new AssertionError(file + ": not 16-bit little-endian PCM: " + format);
      }
      byte[] data = in.readAllBytes();
      short[] samples = new short[data.length / 2];
      ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(samples);
      return new Wav(format.getChannels(), Math.round(format.getSampleRate()), 16, samples);
    } catch (UnsupportedAudioFileException e) {
      throw new AssertionError(file + ": not a WAV file the JDK reads: " + e.getMessage(), e);
    }
  }

  /**
   * The sample bytes of a mono 16-bit little-endian WAV file at {@code sampleRate} Hz, as the JDK reads
   * them, to compare with {@link ExpectedPcm#of}. Unlike {@link #read} it does not check the RIFF and
   * data chunk sizes.
   *
   * @throws AssertionError when the file is not a WAV file of that format
   */
  public static byte[] monoPcm(Path file, int sampleRate) throws IOException {
    try (AudioInputStream in = AudioSystem.getAudioInputStream(file.toFile())) {
      AudioFormat format = in.getFormat();
      if (format.getSampleRate() != sampleRate || format.getSampleSizeInBits() != 16 || format.getChannels() != 1
          || format.isBigEndian()) {
        throw new AssertionError(file + ": not mono 16-bit little-endian at " + sampleRate + " Hz: " + format);
      }
      return in.readAllBytes();
    } catch (UnsupportedAudioFileException e) {
      throw new AssertionError(file + ": not a WAV file the JDK reads: " + e.getMessage(), e);
    }
  }

  /** The RIFF size and the data chunk's end must both be the file's end. */
  private static void checkSizes(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    if (bytes.length < 44 || !ascii(bytes, 0).equals("RIFF") || !ascii(bytes, 8).equals("WAVE")) {
      throw new AssertionError(file + ": not a RIFF/WAVE file (" + bytes.length + " bytes)");
    }
    long riff = Integer.toUnsignedLong(buffer.getInt(4));
    if (riff != bytes.length - 8L) {
      throw new AssertionError(file + ": RIFF size " + riff + " but the file holds " + (bytes.length - 8L));
    }
    int at = 12;
    while (at + 8 <= bytes.length) {
      long size = Integer.toUnsignedLong(buffer.getInt(at + 4));
      if (ascii(bytes, at).equals("data")) {
        if (at + 8 + size != bytes.length) {
          throw new AssertionError(file + ": data size " + size + " but the file holds " + (bytes.length - at - 8));
        }
        return;
      }
      at += 8 + (int) size + (int) (size & 1);
    }
    throw new AssertionError(file + ": no data chunk");
  }

  private static String ascii(byte[] bytes, int at) {
    return new String(bytes, at, 4, StandardCharsets.US_ASCII);
  }

  /** The samples of one channel (0 = left). */
  public short[] channel(int index) {
    short[] out = new short[samples.length / channels];
    for (int i = 0; i < out.length; i++) {
      out[i] = samples[i * channels + index];
    }
    return out;
  }

  /** Sample frames (samples per channel). */
  public int frames() {
    return samples.length / channels;
  }

  /** Length in seconds. */
  public double seconds() {
    return frames() / (double) sampleRate;
  }
}
