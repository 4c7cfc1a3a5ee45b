package dev.callstream.core.recording;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link MixFile} against a plain model (one long per sample, summed, clipped once at the end): the
 * direct path of a single source, the ring's runs that wrap around its end, the stereo stride,
 * clipping both ways, the switch from direct to mixing, and audio behind the window patched in place.
 */
class MixFileTest {

  /** An in-memory sink that counts how it was written. */
  static final class MemorySink implements WavSink {
    final int frameBytes;
    byte[] data = new byte[0];
    int length;
    int writes;
    int patches;

    MemorySink(int channels) {
      this.frameBytes = 2 * channels;
    }

    @Override
    public void write(byte[] src, int off, int len) {
      ensure(length + len);
      System.arraycopy(src, off, data, length, len);
      length += len;
      writes++;
    }

    @Override
    public void writeSilence(long sampleFrames) {
      int len = (int) sampleFrames * frameBytes;
      ensure(length + len);
      Arrays.fill(data, length, length + len, (byte) 0);
      length += len;
    }

    @Override
    public void writeAt(long dataOffset, byte[] src, int off, int len) {
      assertThat(dataOffset + len).isLessThanOrEqualTo(length);
      System.arraycopy(src, off, data, (int) dataOffset, len);
      patches++;
    }

    @Override
    public void readAt(long dataOffset, byte[] dst, int off, int len) {
      assertThat(dataOffset + len).isLessThanOrEqualTo(length);
      System.arraycopy(data, (int) dataOffset, dst, off, len);
    }

    @Override
    public void close() {}

    private void ensure(int size) {
      if (data.length < size) {
        data = Arrays.copyOf(data, Math.max(size, 2 * data.length));
      }
    }

    short[] samples() {
      short[] s = new short[length / 2];
      for (int i = 0; i < s.length; i++) {
        s[i] = (short) ((data[2 * i] & 0xff) | (data[2 * i + 1] << 8));
      }
      return s;
    }
  }

  /** The model: exact sums per sample, clipped when read. */
  static final class Model {
    final int channels;
    long[] sums = new long[0];
    int frames;

    Model(int channels) {
      this.channels = channels;
    }

    void add(long at, int channel, short[] samples) {
      extendTo(at + samples.length);
      for (int i = 0; i < samples.length; i++) {
        sums[(int) (at + i) * channels + channel] += samples[i];
      }
    }

    void extendTo(long to) {
      if (to > frames) {
        frames = (int) to;
        sums = Arrays.copyOf(sums, frames * channels);
      }
    }

    short[] samples() {
      short[] s = new short[frames * channels];
      for (int i = 0; i < s.length; i++) {
        s[i] = (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, sums[i]));
      }
      return s;
    }
  }

  final Random random = new Random(77);

  short[] loud(int n) {
    short[] s = new short[n];
    for (int i = 0; i < n; i++) {
      s[i] = (short) (random.nextBoolean() ? 20000 + random.nextInt(12000) : -20000 - random.nextInt(12000));
    }
    return s;
  }

  static byte[] le(short[] samples) {
    byte[] b = new byte[samples.length * 2];
    for (int i = 0; i < samples.length; i++) {
      b[2 * i] = (byte) samples[i];
      b[2 * i + 1] = (byte) (samples[i] >> 8);
    }
    return b;
  }

  static void add(MixFile file, Model model, long at, int channel, short[] samples) throws IOException {
    byte[] pcm = new byte[samples.length * 2 + 6];
    System.arraycopy(le(samples), 0, pcm, 6, samples.length * 2);   // an offset into the caller's array
    file.add(at, channel, pcm, 6, samples.length);
    model.add(at, channel, samples);
  }

  @Test
  void aSingleSourceIsWrittenStraightThroughWithSilenceForHolesAndPaddedAtTheEnd() throws IOException {
    MemorySink sink = new MemorySink(1);
    MixFile file = new MixFile(sink, 1, 100);
    file.addSource();
    Model model = new Model(1);
    add(file, model, 0, 0, loud(80));
    add(file, model, 100, 0, loud(60));     // a short chunk in a 100-sample slot, then a hole
    add(file, model, 300, 0, loud(100));    // a lost slot at 200
    assertThat(file.direct()).isTrue();
    assertThat(sink.length).as("written at once, nothing held").isEqualTo(400 * 2);
    file.extendTo(450);
    model.extendTo(450);
    file.finish();
    assertThat(sink.samples()).isEqualTo(model.samples());
    assertThat(sink.patches).isZero();
  }

  @Test
  void mixingSumsAndClipsBothWaysAcrossTheRingsEndInMonoAndStereo() throws IOException {
    for (int channels = 1; channels <= 2; channels++) {
      MemorySink sink = new MemorySink(channels);
      MixFile file = new MixFile(sink, channels, 100);
      file.addSource();
      file.addSource();
      file.addSource();
      assertThat(file.direct()).isFalse();
      Model model = new Model(channels);
      long at = 0;
      for (int chunk = 0; chunk < 12; chunk++) {
        // 70-sample chunks: runs keep straddling the end of the 100-frame ring
        add(file, model, at, 0, loud(70));
        add(file, model, at + 13, channels - 1, loud(70));
        add(file, model, at + 29, 0, loud(70));   // a third, so that stereo clips too
        at += 70;
      }
      file.finish();
      assertThat(sink.samples()).as("channels " + channels).isEqualTo(model.samples());
      short[] out = sink.samples();
      assertThat(out).contains(Short.MAX_VALUE, Short.MIN_VALUE);
      assertThat(sink.patches).isZero();
    }
  }

  @Test
  void aSecondSourceTurnsADirectFileToMixingFromWhereItStands() throws IOException {
    MemorySink sink = new MemorySink(1);
    MixFile file = new MixFile(sink, 1, 100);
    file.addSource();
    Model model = new Model(1);
    add(file, model, 0, 0, loud(100));
    add(file, model, 100, 0, loud(100));
    file.addSource();                         // joins at the timeline's extent (200)
    assertThat(file.direct()).isFalse();
    for (long at = 200; at < 700; at += 100) {
      add(file, model, at, 0, loud(100));
      add(file, model, at + 40, 0, loud(100));
    }
    file.finish();
    assertThat(sink.samples()).isEqualTo(model.samples());
    assertThat(sink.patches).isZero();
  }

  @Test
  void audioBehindTheWindowIsAddedToWhatWasWrittenInPlace() throws IOException {
    MemorySink sink = new MemorySink(2);
    MixFile file = new MixFile(sink, 2, 100);
    Model model = new Model(2);
    short[] quiet = new short[50];
    Arrays.fill(quiet, (short) 1000);
    for (long at = 0; at < 400; at += 50) {
      add(file, model, at, 0, loud(50));      // the left runs 400 frames ahead
    }
    add(file, model, 10, 1, quiet);           // the right comes for frames already written
    add(file, model, 280, 1, quiet);          // straddles what was written and what the ring holds
    file.finish();
    assertThat(sink.samples()).isEqualTo(model.samples());
    assertThat(sink.patches).isEqualTo(2);

    MemorySink mono = new MemorySink(1);
    MixFile direct = new MixFile(mono, 1, 100);
    direct.addSource();
    Model monoModel = new Model(1);
    add(direct, monoModel, 0, 0, loud(200));
    add(direct, monoModel, 150, 0, quiet);    // overlaps what direct mode wrote: read back, added
    direct.finish();
    assertThat(mono.samples()).isEqualTo(monoModel.samples());
    assertThat(mono.patches).isEqualTo(1);
  }

  @Test
  void stereoWithOneSourcePerChannelIsStoredThenMixesWhenASecondJoins() throws IOException {
    for (int round = 0; round < 20; round++) {
      int window = 50 + random.nextInt(200);
      MemorySink sink = new MemorySink(2);
      MixFile file = new MixFile(sink, 2, window);
      file.addSource(0);
      file.addSource(1);
      assertThat(file.stored()).isTrue();
      Model model = new Model(2);
      long[] at = {0, random.nextInt(100)};
      long extent = 0;
      int joinStep = 20 + random.nextInt(30);
      long bot = -1;
      for (int step = 0; step < 60; step++) {
        if (step == joinStep) {
          file.addSource(1);                   // a bot joins the right at the timeline's extent
          assertThat(file.stored()).isFalse();
          bot = extent;
        }
        int channel = random.nextInt(2);
        int slot = 1 + random.nextInt(window);
        int n = random.nextInt(4) == 0 ? slot / 2 + 1 : slot;   // short chunks leave silence in their slot
        if (random.nextInt(8) > 0) {                              // a lost slot now and then
          add(file, model, at[channel], channel, loud(n));
        }
        at[channel] += slot;
        extent = Math.max(extent, at[channel]);
        if (bot >= 0 && bot < at[1]) {
          short[] chunk = loud(40);
          add(file, model, bot, 1, chunk);
          bot += 40;
        }
      }
      file.extendTo(extent);
      model.extendTo(extent);
      file.finish();
      assertThat(sink.samples()).as("round " + round).isEqualTo(model.samples());
    }
  }

  @Test
  void randomChunksOfTwoSourcesMatchTheModel() throws IOException {
    for (int round = 0; round < 20; round++) {
      int channels = 1 + random.nextInt(2);
      int window = 50 + random.nextInt(200);
      MemorySink sink = new MemorySink(channels);
      MixFile file = new MixFile(sink, channels, window);
      file.addSource();
      file.addSource();
      Model model = new Model(channels);
      long[] at = {0, random.nextInt(100)};
      for (int step = 0; step < 60; step++) {
        int source = random.nextInt(2);
        int n = 1 + random.nextInt(window);   // never further ahead of the other than the window allows
        if (at[source] + n - at[1 - source] >= window) {
          source = 1 - source;
        }
        add(file, model, at[source], channels == 2 ? source : 0, loud(n));
        at[source] += n + (random.nextInt(4) == 0 ? random.nextInt(30) : 0);
      }
      file.finish();
      assertThat(sink.samples()).as("round " + round).isEqualTo(model.samples());
    }
  }
}
