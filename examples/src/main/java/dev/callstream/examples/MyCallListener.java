package dev.callstream.examples;

import dev.callstream.core.AudioChannel;
import dev.callstream.core.AudioFrame;
import dev.callstream.core.CallSession;
import dev.callstream.core.CallStreamListener;
import dev.callstream.core.ChannelStats;
import dev.callstream.core.EndReason;
import dev.callstream.core.Gap;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A listener of the kind you write yourself, small enough to show how to test one (see
 * {@code TestYourListenerTest}): per side it counts frames and missing frames, checks that the
 * timeline only moves forward, one position at a time, and it remembers how the call ended. (A
 * WebSocket call has one segment per side; with several segments per side, as on gRPC, track
 * {@link AudioFrame#segment()} instead.)
 *
 * <p>Read its figures after {@link #awaitEnd} returned true: the latch makes them visible to the
 * reading thread.
 */
public final class MyCallListener implements CallStreamListener {

  private final long[] frames = new long[2];
  private final long[] missing = new long[2];
  private final long[] next = new long[2]; // per side, the position expected next
  private final ChannelStats[] stats = new ChannelStats[2];
  private final CountDownLatch ended = new CountDownLatch(1);
  private boolean inOrder = true;
  private EndReason endReason;

  @Override
  public void onAudio(CallSession session, AudioFrame frame) {
    int side = frame.channel().stereoIndex();
    inOrder &= frame.position() == next[side];
    next[side] = frame.position() + 1;
    frames[side]++;
  }

  @Override
  public void onGap(CallSession session, Gap gap) {
    int side = gap.channel().stereoIndex();
    inOrder &= gap.fromPosition() == next[side];
    next[side] = gap.fromPosition() + gap.frameCount();
    missing[side] += gap.frameCount();
  }

  @Override
  public void onEnd(CallSession session, EndReason reason, Throwable cause) {
    endReason = reason;
    for (AudioChannel channel : AudioChannel.values()) {
      stats[channel.stereoIndex()] = session.stats(channel);
    }
    ended.countDown();
  }

  /** Waits for the call's end; true when it ended in time. */
  public boolean awaitEnd(Duration timeout) throws InterruptedException {
    return ended.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Frames of {@code channel} received. */
  public long frames(AudioChannel channel) {
    return frames[channel.stereoIndex()];
  }

  /** Frames of {@code channel} that never arrived (reported by {@code onGap}). */
  public long missingFrames(AudioChannel channel) {
    return missing[channel.stereoIndex()];
  }

  /** Whether every frame and gap came at the position right after the previous one. */
  public boolean inOrder() {
    return inOrder;
  }

  /** How the call ended; null until it has. */
  public EndReason endReason() {
    return endReason;
  }

  /** The session's counters of {@code channel} at the call's end. */
  public ChannelStats stats(AudioChannel channel) {
    return stats[channel.stereoIndex()];
  }
}
