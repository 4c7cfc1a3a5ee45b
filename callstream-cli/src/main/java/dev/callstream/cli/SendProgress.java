package dev.callstream.cli;

import dev.callstream.testkit.AudioSource;
import dev.callstream.testkit.CallResult;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counters behind {@code send}'s periodic stderr line: calls active, done and failed, frames
 * sent and the rate since the previous line. Thread-safe: calls end on the sender's threads, the
 * line is built on the ticker's.
 */
final class SendProgress {
  private final int calls;
  private final long startNanos = System.nanoTime();
  private final AtomicInteger done = new AtomicInteger();
  private final AtomicInteger failed = new AtomicInteger();
  private final LongAdder frames = new LongAdder();
  private long lastFrames;
  private long lastNanos = startNanos;

  SendProgress(int calls) {
    this.calls = calls;
  }

  /**
   * {@code source} cut or padded with mu-law silence to exactly {@code length} frames (what the
   * sender sends for a side), counting each frame as it is read for sending.
   */
  AudioSource counting(AudioSource source, long length) {
    return new AudioSource() {
      @Override
      public long frameCount() {
        return length;
      }

      @Override
      public void readFrame(long index, byte[] frame) {
        if (index < source.frameCount()) {
          source.readFrame(index, frame);
        } else {
          Arrays.fill(frame, 0, FRAME_BYTES, MULAW_SILENCE);
        }
        frames.increment();
      }
    };
  }

  /** Counts a call that ended; {@code result} is null only if the sender broke its promise. */
  void ended(CallResult result) {
    if (result == null || result.failed()) {
      failed.incrementAndGet();
    } else {
      done.incrementAndGet();
    }
  }

  /** {@code progress 5.0 s: calls 48 active, 2 done, 0 failed; frames 24000 sent, 4800/s}. */
  synchronized String line() {
    long now = System.nanoTime();
    long sent = frames.sum();
    double interval = (now - lastNanos) / 1e9;
    double rate = interval > 0 ? (sent - lastFrames) / interval : 0;
    lastFrames = sent;
    lastNanos = now;
    int finished = done.get();
    int broken = failed.get();
    return String.format(Locale.ROOT,
        "progress %.1f s: calls %d active, %d done, %d failed; frames %d sent, %.0f/s",
        (now - startNanos) / 1e9, calls - finished - broken, finished, broken, sent, rate);
  }
}
