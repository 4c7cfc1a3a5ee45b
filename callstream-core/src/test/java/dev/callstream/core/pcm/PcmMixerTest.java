package dev.callstream.core.pcm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callstream.core.Participant;
import dev.callstream.core.ParticipantType;
import dev.callstream.core.Segment;
import dev.callstream.core.audio.AudioFormat;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link PcmMixer} against an exact model (sums per sample, clipped once): the pass-through of a
 * mono side's only segment (holes, short chunks), a second segment joining it, and the ring's runs
 * that wrap around its end in stereo, clipping both ways.
 */
class PcmMixerTest {
  static final AudioFormat PCMU = new AudioFormat(AudioFormat.Encoding.MULAW, 8000, 20);

  final Random random = new Random(5);
  final ByteArrayOutputStream out = new ByteArrayOutputStream();
  int dropped;
  long[] sums = new long[0];

  PcmMixer mixer(int channels, int window) {
    return new PcmMixer(channels, window, new PcmMixer.Output() {
      @Override
      public void write(byte[] data, int off, int len) {
        out.write(data, off, len);
      }

      @Override
      public void dropped(int bytes) {
        dropped += bytes;
      }
    });
  }

  static Segment segment(String id) {
    return new Segment(id, new Participant(id, ParticipantType.CONTACT, null), PCMU, 0);
  }

  short[] loud(int n) {
    short[] s = new short[n];
    for (int i = 0; i < n; i++) {
      s[i] = (short) (random.nextBoolean() ? 20000 + random.nextInt(12000) : -20000 - random.nextInt(12000));
    }
    return s;
  }

  void add(PcmMixer mixer, int channels, Segment segment, long at, int channel, short[] samples, long reached) {
    byte[] pcm = new byte[samples.length * 2];
    for (int i = 0; i < samples.length; i++) {
      pcm[2 * i] = (byte) samples[i];
      pcm[2 * i + 1] = (byte) (samples[i] >> 8);
    }
    mixer.add(segment, at, channel, pcm, samples.length, reached);
    int need = (int) reached * channels;
    if (sums.length < need) {
      sums = Arrays.copyOf(sums, need);
    }
    for (int i = 0; i < samples.length; i++) {
      sums[(int) (at + i) * channels + channel] += samples[i];
    }
  }

  short[] expected() {
    short[] s = new short[sums.length];
    for (int i = 0; i < s.length; i++) {
      s[i] = (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, sums[i]));
    }
    return s;
  }

  short[] written() {
    byte[] b = out.toByteArray();
    short[] s = new short[b.length / 2];
    for (int i = 0; i < s.length; i++) {
      s[i] = (short) ((b[2 * i] & 0xff) | (b[2 * i + 1] << 8));
    }
    return s;
  }

  @Test
  void aMonoSidesOnlySegmentIsHandedOnAtOnceWithSilenceForHolesAndShortChunks() {
    PcmMixer mixer = mixer(1, 1000);
    Segment a = segment("a");
    mixer.join(a, 0);
    add(mixer, 1, a, 0, 0, loud(160), 160);
    add(mixer, 1, a, 160, 0, loud(100), 320);     // a short chunk in a 160-sample slot
    assertThat(written()).hasSize(320);
    mixer.skip(a, 480);                            // a gap
    add(mixer, 1, a, 480, 0, loud(160), 640);
    assertThat(written()).as("handed on at once").isEqualTo(expected());
    Segment b = segment("b");
    mixer.join(b, 640);                            // a second segment: mixed from here on
    for (long at = 640; at < 1600; at += 160) {
      add(mixer, 1, a, at, 0, loud(160), at + 160);
      add(mixer, 1, b, at, 0, loud(160), at + 160);
    }
    mixer.finish();
    assertThat(written()).isEqualTo(expected());
    assertThat(written()).contains(Short.MAX_VALUE, Short.MIN_VALUE);
    assertThat(dropped).isZero();
  }

  @Test
  void stereoRunsWrapAroundTheRingAndClip() {
    PcmMixer mixer = mixer(2, 100);
    Segment left = segment("l");
    Segment right = segment("r");
    Segment right2 = segment("r2");
    mixer.join(left, 0);
    mixer.join(right, 0);
    mixer.join(right2, 0);
    for (long at = 0; at < 700; at += 70) {       // 70-frame chunks straddle the 100-frame ring's end
      add(mixer, 2, left, at, 0, loud(70), at + 70);
      add(mixer, 2, right, at, 1, loud(70), at + 70);
      add(mixer, 2, right2, at, 1, loud(70), at + 70);
    }
    mixer.finish();
    assertThat(written()).isEqualTo(expected());
    assertThat(written()).contains(Short.MAX_VALUE, Short.MIN_VALUE);
    assertThat(dropped).isZero();
  }
}
