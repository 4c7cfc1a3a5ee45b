package dev.callstream.cli;

import dev.callstream.testsupport.G711Reference;
import dev.callstream.core.audio.G711;
import java.util.Random;

/**
 * Test audio: deterministic speech-like signals (a voice with harmonics, syllables and pauses),
 * mu-law encoded, and the reference decode the recordings are compared with. The reference is the
 * SoX table in callstream-core's test resources, not the code under test.
 */
final class RecordTestAudio {
  static final int SAMPLE_RATE = 8000;
  static final int FRAME_SAMPLES = 160;


  private RecordTestAudio() {}

  /**
   * {@code frames} x 20 ms of mu-law: a voice whose pitch, timbre and syllable rhythm depend on
   * {@code seed}, so that two calls with different seeds never record the same samples.
   */
  static byte[] speech(long seed, int frames) {
    Random random = new Random(seed);
    double pitch = 90 + random.nextInt(160);
    double syllableRate = 3 + random.nextDouble() * 3;
    double[] harmonics = new double[8];
    for (int k = 0; k < harmonics.length; k++) {
      harmonics[k] = (0.4 + random.nextDouble()) / (k + 1);
    }
    int samples = frames * FRAME_SAMPLES;
    byte[] mulaw = new byte[samples];
    double phase = 0;
    for (int n = 0; n < samples; n++) {
      double t = n / (double) SAMPLE_RATE;
      // a pause of 0.3 s every 1.5 s, syllables in between
      boolean pause = (t % 1.5) > 1.2;
      double syllable = Math.max(0, Math.sin(Math.PI * syllableRate * t));
      double envelope = pause ? 0.01 : Math.pow(syllable, 1.5);
      double vibrato = pitch * (1 + 0.03 * Math.sin(2 * Math.PI * 5 * t));
      phase += 2 * Math.PI * vibrato / SAMPLE_RATE;
      double voice = 0;
      for (int k = 0; k < harmonics.length; k++) {
        voice += harmonics[k] * Math.sin((k + 1) * phase);
      }
      double noise = (random.nextDouble() - 0.5) * 0.05;
      double value = 9000 * envelope * voice + 3000 * noise;
      mulaw[n] = G711.pcmToMulaw((short) Math.max(-32768, Math.min(32767, Math.round(value))));
    }
    return mulaw;
  }

  /** Frame {@code index} (20 ms) of a mu-law signal. */
  static byte[] frame(byte[] mulaw, int index) {
    byte[] frame = new byte[FRAME_SAMPLES];
    System.arraycopy(mulaw, index * FRAME_SAMPLES, frame, 0, FRAME_SAMPLES);
    return frame;
  }

  /** The ITU-T G.711 decode of {@code mulaw}, from the reference table. */
  static short[] decode(byte[] mulaw) {
    return G711Reference.decodeMulaw(mulaw);
  }

  /**
   * What a mono file must hold for a side: {@code totalFrames} slots, slot {@code p} the decode of
   * frame {@code p} of {@code mulaw} if {@code present[p]}, else digital silence.
   */
  static short[] expectedMono(byte[] mulaw, boolean[] present, int totalFrames) {
    short[] pcm = new short[totalFrames * FRAME_SAMPLES];
    short[] decoded = decode(mulaw);
    for (int p = 0; p < totalFrames; p++) {
      if (p < present.length && present[p]) {
        System.arraycopy(decoded, p * FRAME_SAMPLES, pcm, p * FRAME_SAMPLES, FRAME_SAMPLES);
      }
    }
    return pcm;
  }

  /** Every frame of {@code frames} present. */
  static boolean[] all(int frames) {
    boolean[] present = new boolean[frames];
    java.util.Arrays.fill(present, true);
    return present;
  }

  /** Left and right interleaved, as in a stereo WAV file. */
  static short[] interleave(short[] left, short[] right) {
    short[] stereo = new short[left.length * 2];
    for (int i = 0; i < left.length; i++) {
      stereo[2 * i] = left[i];
      stereo[2 * i + 1] = right[i];
    }
    return stereo;
  }
}
