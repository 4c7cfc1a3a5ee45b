package dev.callstream.core.pcm;

import dev.callstream.core.Segment;
import java.util.ArrayList;
import java.util.List;

/**
 * Places the audio of several segments on the call's timeline and hands it on in order, mixed
 * (summed, clipped to 16 bits): mono for one side, or interleaved stereo (left agent, right
 * conference).
 *
 * <p>Audio is handed on as soon as every active contributing segment has reached it (a side with one
 * segment: at once), or when one segment runs more than {@code windowFrames} ahead; audio that comes
 * for time already handed on is dropped and counted. Not thread-safe.
 */
final class PcmMixer {

  /** Receives interleaved 16-bit little-endian sample frames, in order. */
  interface Output {
    void write(byte[] data, int off, int len);

    /** Audio that came too late to be handed on. */
    void dropped(int bytes);
  }

  private static final class Contributor {
    final Segment segment;
    long frontier;
    boolean active = true;

    Contributor(Segment segment, long frontier) {
      this.segment = segment;
      this.frontier = frontier;
    }
  }

  private final int channels;
  private final int windowFrames;
  private final Output output;
  private final int[] ring;
  private final List<Contributor> contributors = new ArrayList<>();
  private byte[] bytes = new byte[0];
  private long committed;
  private long end;

  PcmMixer(int channels, int windowFrames, Output output) {
    this.channels = channels;
    this.windowFrames = windowFrames;
    this.output = output;
    this.ring = new int[windowFrames * channels];
  }

  /** A segment that will add audio from sample frame {@code startFrame}. */
  void join(Segment segment, long startFrame) {
    if (find(segment) == null) {
      contributors.add(new Contributor(segment, Math.max(startFrame, committed)));
    }
  }

  /** A segment added all it will: it no longer holds the output back. */
  void leave(Segment segment) {
    Contributor c = find(segment);
    if (c != null) {
      c.active = false;
    }
    release();
  }

  /** Adds {@code count} samples from {@code pcm} to {@code channel} at frame {@code at}; the segment has reached {@code at + slot}. */
  void add(Segment segment, long at, int channel, byte[] pcm, int count, long reached) {
    advance(segment, reached);
    if (to(at, count) > committed + windowFrames) {
      commitUpTo(to(at, count) - windowFrames);
    }
    int i = 0;
    if (at < committed) {
      int late = (int) Math.min(count, committed - at);
      output.dropped(late * 2 * channels);
      i = late;
    }
    for (; i < count; i++) {
      int index = (int) ((at + i) % windowFrames) * channels + channel;
      ring[index] += (short) ((pcm[2 * i] & 0xff) | (pcm[2 * i + 1] << 8));
    }
    release();
  }

  /** The segment reached {@code reached} without audio (a gap, silence). */
  void skip(Segment segment, long reached) {
    advance(segment, reached);
    if (reached > committed + windowFrames) {
      commitUpTo(reached - windowFrames);
    }
    release();
  }

  /** Hands on everything up to the end of the longest segment. */
  void finish() {
    commitUpTo(end);
  }

  private static long to(long at, int count) {
    return at + count;
  }

  private void advance(Segment segment, long reached) {
    Contributor c = find(segment);
    if (c == null) {
      c = new Contributor(segment, committed);
      contributors.add(c);
    }
    c.frontier = Math.max(c.frontier, reached);
    end = Math.max(end, reached);
  }

  /** Hands on what every active segment has reached. */
  private void release() {
    long ready = end;
    for (Contributor c : contributors) {
      if (c.active) {
        ready = Math.min(ready, c.frontier);
      }
    }
    commitUpTo(ready);
  }

  private Contributor find(Segment segment) {
    for (Contributor c : contributors) {
      if (c.segment.id().equals(segment.id())) {
        return c;
      }
    }
    return null;
  }

  private void commitUpTo(long frame) {
    while (committed < frame) {
      int start = (int) (committed % windowFrames);
      int n = (int) Math.min(frame - committed, windowFrames - start);
      int len = n * channels * 2;
      if (bytes.length < len) {
        bytes = new byte[len];
      }
      int base = start * channels;
      for (int s = 0; s < n * channels; s++) {
        int v = ring[base + s];
        v = v > Short.MAX_VALUE ? Short.MAX_VALUE : Math.max(v, Short.MIN_VALUE);
        ring[base + s] = 0;
        bytes[2 * s] = (byte) v;
        bytes[2 * s + 1] = (byte) (v >> 8);
      }
      output.write(bytes, 0, len);
      committed += n;
    }
  }
}
