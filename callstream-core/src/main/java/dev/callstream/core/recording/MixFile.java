package dev.callstream.core.recording;

import java.io.IOException;

/**
 * A 16-bit PCM file (mono or stereo) that audio is ADDED into at any sample-frame offset: the
 * samples of several segments are summed and clipped to 16 bits, so a side with one segment is
 * bit-exact and a side with several is their mix.
 *
 * <p>The last {@code windowFrames} sample frames are kept in memory as exact sums and written out,
 * clipped, once audio lands beyond the window, so the usual case (segments running roughly together)
 * costs one sequential write. Audio for frames already written (a segment more than the window
 * behind) is read back, added and written in place. Not thread-safe.
 */
final class MixFile {
  private final WavSink sink;
  private final int channels;
  private final int windowFrames;
  /** Exact sums, {@code windowFrames * channels}, ring-indexed by frame. */
  private final int[] ring;
  private byte[] bytes = new byte[0];
  /** Frames written to the sink: [0, committed). */
  private long committed;
  /** The file's length once finished: every frame below it exists (silence where nothing was added). */
  private long end;

  MixFile(WavSink sink, int channels, int windowFrames) {
    this.sink = sink;
    this.channels = channels;
    this.windowFrames = windowFrames;
    this.ring = new int[windowFrames * channels];
  }

  /** Adds {@code count} samples (16-bit little-endian in {@code pcm} from {@code off}) to {@code channel} from frame {@code at}. */
  void add(long at, int channel, byte[] pcm, int off, int count) throws IOException {
    if (count <= 0) {
      return;
    }
    long to = at + count;
    extendTo(to);
    if (to > committed + windowFrames) {
      commitUpTo(to - windowFrames);
    }
    int i = 0;
    if (at < committed) {
      int late = (int) Math.min(count, committed - at);
      patch(at, channel, pcm, off, late);
      i = late;
    }
    for (; i < count; i++) {
      long frame = at + i;
      int index = (int) (frame % windowFrames) * channels + channel;
      int sample = (short) ((pcm[off + 2 * i] & 0xff) | (pcm[off + 2 * i + 1] << 8));
      ring[index] += sample;
    }
  }

  /** The file lasts at least {@code frames} sample frames. */
  void extendTo(long frames) {
    if (frames > end) {
      end = frames;
    }
  }

  /** Writes everything out: the file holds exactly {@code end} frames. */
  void finish() throws IOException {
    commitUpTo(end);
  }

  void close() throws IOException {
    sink.close();
  }

  private void commitUpTo(long frame) throws IOException {
    while (committed < frame) {
      int start = (int) (committed % windowFrames);
      int n = (int) Math.min(frame - committed, windowFrames - start);
      int len = n * channels * 2;
      if (bytes.length < len) {
        bytes = new byte[len];
      }
      int base = start * channels;
      for (int s = 0; s < n * channels; s++) {
        int v = clip(ring[base + s]);
        ring[base + s] = 0;
        bytes[2 * s] = (byte) v;
        bytes[2 * s + 1] = (byte) (v >> 8);
      }
      sink.write(bytes, 0, len);
      committed += n;
    }
  }

  /** Adds to frames already written: read back, add, clip, write in place. */
  private void patch(long at, int channel, byte[] pcm, int off, int count) throws IOException {
    int frameBytes = channels * 2;
    byte[] region = new byte[count * frameBytes];
    sink.readAt(at * frameBytes, region, 0, region.length);
    for (int i = 0; i < count; i++) {
      int o = i * frameBytes + channel * 2;
      int existing = (short) ((region[o] & 0xff) | (region[o + 1] << 8));
      int sample = (short) ((pcm[off + 2 * i] & 0xff) | (pcm[off + 2 * i + 1] << 8));
      int v = clip(existing + sample);
      region[o] = (byte) v;
      region[o + 1] = (byte) (v >> 8);
    }
    sink.writeAt(at * frameBytes, region, 0, region.length);
  }

  private static int clip(int v) {
    return v > Short.MAX_VALUE ? Short.MAX_VALUE : Math.max(v, Short.MIN_VALUE);
  }
}
