package dev.callstream.testkit.internal;

import dev.callstream.core.audio.G711;
import dev.callstream.testkit.AudioSource;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Endless generated sources. Each precomputes a loop of mu-law bytes once (StrictMath, so the bytes
 * are the same on every JVM) so that serving a frame is one array copy: a load run asks for
 * 100,000 frames a second.
 */
public final class GeneratedAudio implements AudioSource {
  private static final int SAMPLE_RATE = 8000;
  /** Loop length of speech-like audio: 8 s. */
  private static final int SPEECH_LOOP_SAMPLES = 8 * SAMPLE_RATE;

  private final byte[] loop;
  private final double frequency;
  private final double amplitude;

  private GeneratedAudio(byte[] loop, double frequency, double amplitude) {
    this.loop = loop;
    this.frequency = frequency;
    this.amplitude = amplitude;
  }

  public static AudioSource silence() {
    byte[] loop = new byte[FRAME_BYTES];
    Arrays.fill(loop, MULAW_SILENCE);
    return new GeneratedAudio(loop, 0, 0);
  }

  public static AudioSource tone(double frequencyHertz, double amplitude) {
    if (!(frequencyHertz > 0 && frequencyHertz < SAMPLE_RATE / 2.0)) {
      throw new IllegalArgumentException("frequency not in (0, 4000) Hz: " + frequencyHertz);
    }
    if (!(amplitude >= 0 && amplitude <= 1)) {
      throw new IllegalArgumentException("amplitude not in [0, 1]: " + amplitude);
    }
    if (frequencyHertz == Math.rint(frequencyHertz)) {
      // A whole number of hertz repeats exactly every second (50 frames): precompute that second.
      byte[] loop = new byte[SAMPLE_RATE];
      for (int n = 0; n < loop.length; n++) {
        loop[n] = G711.pcmToMulaw(sineSample(frequencyHertz, amplitude, n));
      }
      return new GeneratedAudio(loop, frequencyHertz, amplitude);
    }
    return new GeneratedAudio(null, frequencyHertz, amplitude);
  }

  public static AudioSource speechLike(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    double[] pcm = new double[SPEECH_LOOP_SAMPLES];
    int at = random.nextInt(SAMPLE_RATE / 10); // a short lead-in pause
    double fundamental = 100 + random.nextDouble() * 150;
    int syllablesLeftInWord = 2 + random.nextInt(5);
    while (true) {
      int length = (int) (SAMPLE_RATE * (0.12 + random.nextDouble() * 0.18));
      // Leave at least 0.3 s of silence at the end so the loop joins on a pause.
      if (at + length > pcm.length - SAMPLE_RATE * 3 / 10) {
        break;
      }
      double glide = (random.nextDouble() - 0.5) * 0.2 * fundamental;
      double loudness = 0.15 + random.nextDouble() * 0.2;
      double phase = 0;
      for (int i = 0; i < length; i++) {
        double t = (double) i / length;
        double f0 = fundamental + glide * t;
        phase += 2 * StrictMath.PI * f0 / SAMPLE_RATE;
        double envelope = StrictMath.sin(StrictMath.PI * t); // attack and decay of a syllable
        double voice = 0;
        for (int h = 1; h <= 5; h++) {
          voice += StrictMath.sin(h * phase) / h;
        }
        pcm[at + i] = loudness * envelope * voice / 2.3;
      }
      at += length;
      if (--syllablesLeftInWord == 0) {
        at += (int) (SAMPLE_RATE * (0.3 + random.nextDouble() * 0.5)); // pause between phrases
        syllablesLeftInWord = 2 + random.nextInt(5);
        fundamental = 100 + random.nextDouble() * 150;
      } else {
        at += (int) (SAMPLE_RATE * (0.04 + random.nextDouble() * 0.08)); // gap between syllables
      }
    }
    byte[] loop = new byte[pcm.length];
    for (int n = 0; n < loop.length; n++) {
      loop[n] = G711.pcmToMulaw((short) Math.round(Math.max(-1, Math.min(1, pcm[n])) * 32767));
    }
    return new GeneratedAudio(loop, 0, 0);
  }

  private static short sineSample(double frequency, double amplitude, long n) {
    double angle = 2 * StrictMath.PI * ((frequency * n) % SAMPLE_RATE) / SAMPLE_RATE;
    return (short) Math.round(amplitude * 32767 * StrictMath.sin(angle));
  }

  @Override
  public long frameCount() {
    return UNLIMITED;
  }

  @Override
  public void readFrame(long index, byte[] frame) {
    if (index < 0) {
      throw new IndexOutOfBoundsException("frame " + index);
    }
    long firstSample = index * FRAME_BYTES;
    if (loop == null) {
      for (int i = 0; i < FRAME_BYTES; i++) {
        frame[i] = G711.pcmToMulaw(sineSample(frequency, amplitude, firstSample + i));
      }
      return;
    }
    int from = (int) (firstSample % loop.length);
    int first = Math.min(FRAME_BYTES, loop.length - from);
    System.arraycopy(loop, from, frame, 0, first);
    if (first < FRAME_BYTES) {
      System.arraycopy(loop, 0, frame, first, FRAME_BYTES - first);
    }
  }
}
