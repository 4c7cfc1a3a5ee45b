package dev.callstream.testkit;

import dev.callstream.testkit.internal.GeneratedAudio;
import dev.callstream.testkit.internal.MulawClip;
import dev.callstream.testkit.internal.WavFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * One side of a call's audio as G.711 mu-law frames of {@value #FRAME_BYTES} bytes (20 ms at 8 kHz).
 *
 * <p>A source is a random-access description, not a stream: {@link #readFrame} may be asked for any
 * frame, so one instance serves every call of a load run, from any thread. Implementations must be
 * immutable and thread-safe, and {@code readFrame(i)} must always produce the same bytes.
 *
 * <p>A source ends after {@link #frameCount()} frames ({@link #UNLIMITED} for generated audio that
 * never ends: limit it with {@link #limit(Duration)} or the call script's duration). A call lasts as
 * long as its longer side; the shorter side is padded with mu-law silence ({@code 0xFF}).
 *
 * <pre>{@code
 * AudioSource agent = AudioSource.fromFile(Path.of("agent.wav"));
 * AudioSource caller = AudioSource.speechLike(7).limit(Duration.ofSeconds(30));
 * }</pre>
 */
public interface AudioSource {

  /** Bytes in one frame: 20 ms of 8 kHz mu-law. */
  int FRAME_BYTES = 160;

  /** Mu-law code of digital silence (PCM 0). */
  byte MULAW_SILENCE = (byte) 0xFF;

  /** {@link #frameCount()} of a source that never ends. */
  long UNLIMITED = Long.MAX_VALUE;

  /** Number of frames in this source, or {@link #UNLIMITED}. */
  long frameCount();

  /**
   * Writes frame {@code index} ({@code 0 <= index < frameCount()}) into {@code frame[0..160)}. A
   * last partial frame of a file is padded with silence.
   */
  void readFrame(long index, byte[] frame);

  /** This source cut to at most {@code duration} (rounded down to whole 20 ms frames). */
  default AudioSource limit(Duration duration) {
    long frames = framesIn(duration);
    AudioSource self = this;
    long count = Math.min(frames, frameCount());
    return new AudioSource() {
      @Override
      public long frameCount() {
        return count;
      }

      @Override
      public void readFrame(long index, byte[] frame) {
        self.readFrame(index, frame);
      }
    };
  }

  /** The number of whole 20 ms frames in {@code duration}. */
  static long framesIn(Duration duration) {
    if (duration.isNegative()) {
      throw new IllegalArgumentException("duration < 0: " + duration);
    }
    return duration.toMillis() / 20;
  }

  /** Mu-law bytes as they are (copied), cut into frames. */
  static AudioSource ofMulaw(byte[] mulaw) {
    return new MulawClip(mulaw.clone());
  }

  /** Digital silence ({@code 0xFF}) of the given length. */
  static AudioSource silence(Duration duration) {
    return GeneratedAudio.silence().limit(duration);
  }

  /**
   * A sine tone that never ends, deterministic (sample {@code n} is {@code amplitude * 32767 *
   * sin(2 pi frequency n / 8000)}).
   *
   * @param frequencyHertz between 0 (exclusive) and 4000 (the Nyquist limit, exclusive)
   * @param amplitude between 0 and 1 (full scale)
   */
  static AudioSource tone(double frequencyHertz, double amplitude) {
    return GeneratedAudio.tone(frequencyHertz, amplitude);
  }

  /**
   * Generated audio with the rhythm of speech, never ending: syllables of amplitude-modulated
   * harmonics (a voice-like fundamental between 100 and 250 Hz) separated by pauses, all chosen from
   * {@code seed}. The same seed gives the same bytes.
   */
  static AudioSource speechLike(long seed) {
    return GeneratedAudio.speechLike(seed);
  }

  /**
   * Reads a WAV file ({@code RIFF/WAVE}: 8 kHz mono 16-bit PCM, encoded to mu-law, or 8 kHz mono
   * mu-law, format 7, used as is) or a raw mu-law file ({@code .ul}, {@code .ulaw}, {@code .mulaw},
   * {@code .raw}: headerless 8 kHz mu-law bytes). Other formats are refused with a message naming
   * what was found.
   *
   * @throws IllegalArgumentException when the file is not one of those formats
   * @throws UncheckedIOException when it cannot be read
   */
  static AudioSource fromFile(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (WavFiles.isRiff(bytes)) {
      return new MulawClip(WavFiles.toMulaw(bytes, file.toString()));
    }
    if (name.endsWith(".ul") || name.endsWith(".ulaw") || name.endsWith(".mulaw") || name.endsWith(".raw")) {
      return new MulawClip(bytes);
    }
    throw new IllegalArgumentException(
        file + ": not a WAV file (no RIFF/WAVE header) and not raw mu-law (.ul, .ulaw, .mulaw, .raw)");
  }
}
