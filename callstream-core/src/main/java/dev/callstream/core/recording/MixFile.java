package dev.callstream.core.recording;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * A 16-bit PCM file (mono or stereo) that audio is ADDED into at any sample-frame offset: the
 * samples of several segments are summed and clipped to 16 bits, so a side with one segment is
 * bit-exact and a side with several is their mix.
 *
 * <p>Two modes, with the same bytes in the file:
 * <ul>
 *   <li><b>Direct</b> (a mono file with at most one source: every segment file, a side with one
 *       segment): the decoded PCM is written straight through, silence for what lies between. One
 *       source never overlaps itself (its slots come in position order), so there is nothing to sum.
 *   <li><b>Stored</b> (stereo while each channel has at most one source, the usual call): the last
 *       {@code windowFrames} frames are kept as the file's own bytes (16-bit little-endian,
 *       interleaved), each channel's samples stored in place, and written out as they are once audio
 *       lands beyond the window. Nothing to sum or clip: half the memory of the sums and one copy.
 *   <li><b>Mixing</b> (stereo with a second source on a channel, or a side with a second source): the last {@code windowFrames} sample
 *       frames are kept in memory as exact sums and written out, clipped, once audio lands beyond the
 *       window, so the usual case (segments running roughly together) costs one sequential write.
 *       A file turns to mixing when its second source starts ({@link #addSource()}); the call
 *       timeline places a later segment at or after everything received so far, so nothing it adds
 *       lies before what direct mode already wrote. A stored stereo file turns to mixing the same way
 *       (its bytes in the window become the sums they are).
 * </ul>
 * Audio for frames already written (a segment more than the window behind) is read back, added and
 * written in place. Not thread-safe.
 */
final class MixFile {
  private static final VarHandle SHORT_LE = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private final WavSink sink;
  private final int channels;
  private final int windowFrames;
  /** Exact sums, {@code windowFrames * channels}, ring-indexed by frame; null while stored. */
  private int[] ring;
  /** Stored mode: the window's bytes as the file will hold them, ring-indexed by frame; else null. */
  private byte[] stored;
  /** Sources per channel of a stereo file (see {@link #addSource(int)}). */
  private final int[] channelSources;
  private byte[] bytes = new byte[0];
  /** Frames written to the sink: [0, committed). */
  private long committed;
  /** The file's length once finished: every frame below it exists (silence where nothing was added). */
  private long end;
  private int sources;
  private boolean direct;

  MixFile(WavSink sink, int channels, int windowFrames) {
    this.sink = sink;
    this.channels = channels;
    this.windowFrames = windowFrames;
    this.direct = channels == 1;
    this.channelSources = new int[channels];
    if (channels == 1) {
      this.ring = new int[windowFrames];
    } else {
      this.stored = new byte[windowFrames * channels * 2];
    }
  }

  /**
   * One more segment adds into this file; with a second one a mono file starts mixing. A stereo file
   * told of a source without its channel mixes from now on (use {@link #addSource(int)}).
   */
  void addSource() {
    sources++;
    if (sources > 1) {
      direct = false;
    }
    if (stored != null) {
      startMixing();
    }
  }

  /**
   * One more segment adds into {@code channel} of this stereo file; with a second one on a channel
   * the file starts mixing.
   */
  void addSource(int channel) {
    if (++channelSources[channel] > 1 && stored != null) {
      startMixing();
    }
  }

  /** Whether audio is written straight through (for tests). */
  boolean direct() {
    return direct;
  }

  /** Whether a stereo file keeps its window as stored bytes (for tests). */
  boolean stored() {
    return stored != null;
  }

  /** The stored window's bytes become sums (a stored sample is its own sum). */
  private void startMixing() {
    int[] sums = new int[windowFrames * channels];
    byte[] b = stored;
    for (int i = 0; i < sums.length; i++) {
      sums[i] = (short) ((b[2 * i] & 0xff) | (b[2 * i + 1] << 8));
    }
    ring = sums;
    stored = null;
  }

  /** Adds {@code count} samples (16-bit little-endian in {@code pcm} from {@code off}) to {@code channel} from frame {@code at}. */
  void add(long at, int channel, byte[] pcm, int off, int count) throws IOException {
    if (count <= 0) {
      return;
    }
    long to = at + count;
    extendTo(to);
    if (direct) {
      int skip = 0;
      if (at < committed) {
        skip = (int) Math.min(count, committed - at);
        patch(at, channel, pcm, off, skip);
      }
      if (skip < count) {
        long from = at + skip;
        if (from > committed) {
          sink.writeSilence(from - committed);
        }
        sink.write(pcm, off + 2 * skip, 2 * (count - skip));
        committed = to;
      }
      return;
    }
    if (to > committed + windowFrames) {
      commitUpTo(to - windowFrames);
    }
    int i = 0;
    if (at < committed) {
      int late = (int) Math.min(count, committed - at);
      patch(at, channel, pcm, off, late);
      i = late;
    }
    // at most two contiguous runs of the ring: no division per sample
    long frame = at + i;
    while (i < count) {
      int start = (int) (frame % windowFrames);
      int n = Math.min(count - i, windowFrames - start);
      if (stored != null) {
        storeRun(start * channels + channel, pcm, off + 2 * i, n);
      } else {
        addRun(start * channels + channel, pcm, off + 2 * i, n);
      }
      i += n;
      frame += n;
    }
  }

  /** Stored mode: one source per channel never overlaps itself, so its samples are stored, not added. */
  private void storeRun(int index, byte[] pcm, int off, int n) {
    // A stored file is stereo: one sample every 4 bytes. Constant strides and whole-sample accesses
    // let the JIT drop the per-byte bounds checks of a strided byte loop (a tenth of the dispatch
    // thread's CPU at 200 recorded calls), and four samples are read at once.
    byte[] b = stored;
    int o = 2 * index;
    int k = 0;
    for (; k + 4 <= n; k += 4, o += 16) {
      long four = (long) LONG_LE.get(pcm, off + 2 * k);
      SHORT_LE.set(b, o, (short) four);
      SHORT_LE.set(b, o + 4, (short) (four >>> 16));
      SHORT_LE.set(b, o + 8, (short) (four >>> 32));
      SHORT_LE.set(b, o + 12, (short) (four >>> 48));
    }
    for (; k < n; k++, o += 4) {
      SHORT_LE.set(b, o, (short) SHORT_LE.get(pcm, off + 2 * k));
    }
  }

  private void addRun(int index, byte[] pcm, int off, int n) {
    int[] r = ring;
    if (channels == 1) {
      for (int k = 0; k < n; k++) {
        r[index + k] += (short) ((pcm[off + 2 * k] & 0xff) | (pcm[off + 2 * k + 1] << 8));
      }
    } else {
      int stride = channels;
      for (int k = 0; k < n; k++) {
        r[index + k * stride] += (short) ((pcm[off + 2 * k] & 0xff) | (pcm[off + 2 * k + 1] << 8));
      }
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
    if (direct) {
      if (end > committed) {
        sink.writeSilence(end - committed);
        committed = end;
      }
      return;
    }
    commitUpTo(end);
  }

  void close() throws IOException {
    sink.close();
  }

  private void commitUpTo(long frame) throws IOException {
    while (committed < frame) {
      int start = (int) (committed % windowFrames);
      int n = (int) Math.min(frame - committed, windowFrames - start);
      int samples = n * channels;
      int len = samples * 2;
      if (stored != null) {
        // the bytes are the file's already: written as they are, then the window is silence again
        int from = start * channels * 2;
        sink.write(stored, from, len);
        java.util.Arrays.fill(stored, from, from + len, (byte) 0);
        committed += n;
        continue;
      }
      if (bytes.length < len) {
        bytes = new byte[len];
      }
      int[] r = ring;
      byte[] b = bytes;
      int base = start * channels;
      for (int s = 0; s < samples; s++) {
        int v = clip(r[base + s]);
        b[2 * s] = (byte) v;
        b[2 * s + 1] = (byte) (v >> 8);
      }
      java.util.Arrays.fill(r, base, base + samples, 0);
      sink.write(b, 0, len);
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
