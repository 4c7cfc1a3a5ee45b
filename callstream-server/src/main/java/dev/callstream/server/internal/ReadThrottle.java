package dev.callstream.server.internal;

import java.util.Objects;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pauses reading a call's connection when its lane is full and resumes it once the lane has drained to
 * half: TCP back-pressure on the sender instead of dropping its messages.
 *
 * <p>The reader calls {@link #queued} after adding to the lane, the lane calls {@link #taken} before
 * handling each item; {@link #resumeNow} resumes unconditionally (a call that is ending must read the
 * peer's close reply). The flag is written before the lane's size is read on one side and read after
 * the size changed on the other, so a lane that drained while the reader was pausing is always seen by
 * one of them: reading is never left paused with nothing queued.
 */
final class ReadThrottle {
  private static final Logger log = LoggerFactory.getLogger(ReadThrottle.class);

  /** Switches reading of a connection off and on. */
  interface ReadControl {
    ReadControl NONE = new ReadControl() {
      @Override
      public void pause() {}

      @Override
      public void resume() {}
    };

    /** Stops reading; called on the I/O thread. */
    void pause();

    /** Reads again; any thread. */
    void resume();
  }

  private final IntSupplier laneSize;
  private final int capacity;
  private final String logId;
  private final Runnable onResume;
  private final Object lock = new Object();
  private volatile ReadControl reads = ReadControl.NONE;
  private volatile boolean paused;
  private int pauses;

  /** {@code onResume} runs whenever reading resumes (under the throttle's lock: keep it short). */
  ReadThrottle(IntSupplier laneSize, int capacity, String logId, Runnable onResume) {
    this.laneSize = Objects.requireNonNull(laneSize, "laneSize");
    this.capacity = capacity;
    this.logId = logId;
    this.onResume = Objects.requireNonNull(onResume, "onResume");
  }

  /** Connects the switch of the call's connection; before the first message is read. */
  void attach(ReadControl control) {
    this.reads = Objects.requireNonNull(control, "control");
  }

  /** True while reading is paused (a paused call is waiting for its listener, not idle). */
  boolean paused() {
    return paused;
  }

  /** How often reading was paused so far. */
  int pauses() {
    synchronized (lock) {
      return pauses;
    }
  }

  /** Reader: {@code queued} items were in the lane right after an add. */
  void queued(int queued) {
    if (queued < capacity) {
      return;
    }
    synchronized (lock) {
      if (!paused) {
        paused = true;
        pauses++;
        if (pauses == 1) {
          log.warn("call {}: listener fell behind ({} events queued); reading of this call paused until it catches up",
              logId, queued);
        } else {
          log.debug("call {}: listener fell behind again ({} events queued); reading paused", logId, queued);
        }
      }
      // Also when already paused: a resume racing with this read may have switched reading back on.
      reads.pause();
    }
    taken();
  }

  /** Lane: resumes reading once the lane has drained to half its capacity. */
  void taken() {
    if (paused && laneSize.getAsInt() <= capacity / 2) {
      resume();
    }
  }

  /** Resumes reading whatever the lane holds. */
  void resumeNow() {
    if (paused) {
      resume();
    }
  }

  private void resume() {
    synchronized (lock) {
      if (paused) {
        paused = false;
        onResume.run();
        reads.resume();
        log.debug("call {}: listener caught up; reading resumed", logId);
      }
    }
  }
}
