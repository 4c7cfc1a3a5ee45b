package dev.callstream.core.pcm;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;

/**
 * A call's audio as a blocking {@link InputStream} of signed 16-bit little-endian PCM: one channel,
 * or both interleaved (left agent, right conference), for speech-to-text clients and the like.
 * Obtain one from a {@link PcmStreamListener}.
 *
 * <pre>{@code
 * CallStreamListener.Factory factory = PcmStreamListener.factory(PcmStream.Layout.CONFERENCE,
 *     (info, pcm) -> executor.submit(() -> transcriber.transcribe(pcm)));  // read on your own thread
 * }</pre>
 *
 * <h2>Buffering and overflow</h2>
 * Audio is held in a bounded ring buffer (by default two seconds). The call's thread never waits
 * for the reader: when the buffer is full, the OLDEST audio is dropped to make room, whole sample
 * frames at a time (a reader stays sample-aligned), and counted in {@link #droppedBytes()}. Gaps
 * in the call are delivered as silence. A stereo stream whose one side falls more than a second
 * behind the other gets silence for that side's late slots; their audio is dropped and counted.
 *
 * <h2>End</h2>
 * {@link #read()} blocks until audio is available or the call has ended; after the end it returns
 * what is buffered and then -1. {@link #close()} by the reader discards buffered audio and makes the
 * writer discard everything further.
 *
 * <h2>Threading</h2>
 * One reader thread at a time; the call's thread writes. {@link #droppedBytes()},
 * {@link #available()} and the accessors may be called from any thread.
 */
public final class PcmStream extends InputStream {

  /** Which audio a stream carries. */
  public enum Layout {
    /** The agent side, mono. */
    AGENT(1),
    /** The caller and every other participant (mixed), mono. */
    CONFERENCE(1),
    /** Both sides interleaved: left agent, right conference. */
    STEREO(2);

    private final int channels;

    Layout(int channels) {
      this.channels = channels;
    }

    /** 1 or 2. */
    public int channels() {
      return channels;
    }
  }

  /** The default buffer: two seconds of audio. */
  public static final Duration DEFAULT_CAPACITY = Duration.ofSeconds(2);

  private final Layout layout;
  private final Duration capacity;
  private final int blockAlign;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();

  private byte[] ring;
  private int head;
  private int count;
  private long readBytes;
  private long droppedBytes;
  private int sampleRate;
  private boolean ended;
  private boolean closed;

  PcmStream(Layout layout, Duration capacity) {
    this.layout = Objects.requireNonNull(layout, "layout");
    this.capacity = Objects.requireNonNull(capacity, "capacity");
    if (capacity.isNegative() || capacity.isZero()) {
      throw new IllegalArgumentException("capacity not positive: " + capacity);
    }
    this.blockAlign = 2 * layout.channels();
  }

  /** What this stream carries. */
  public Layout layout() {
    return layout;
  }

  /** 1 or 2. */
  public int channels() {
    return layout.channels();
  }

  /** The buffer's capacity as a duration of audio. */
  public Duration capacity() {
    return capacity;
  }

  /** Samples per second per channel: the call's rate once its first segment started, else 0. */
  public int sampleRate() {
    lock.lock();
    try {
      return sampleRate;
    } finally {
      lock.unlock();
    }
  }

  /** Bytes of audio dropped so far because the reader fell behind (or a stereo side came too late). */
  public long droppedBytes() {
    lock.lock();
    try {
      return droppedBytes;
    } finally {
      lock.unlock();
    }
  }

  /**
   * This stream as a {@code javax.sound.sampled} stream (signed 16-bit little-endian PCM, unknown
   * length). Blocks until the call's sample rate is known (its first segment started); reading either
   * stream consumes the same audio.
   *
   * @throws IOException when the call ended or the stream was closed before any audio format was known
   */
  public AudioInputStream asAudioInputStream() throws IOException {
    int rate;
    lock.lock();
    try {
      while (sampleRate == 0 && !ended && !closed) {
        awaitChange();
      }
      rate = sampleRate;
    } finally {
      lock.unlock();
    }
    if (rate == 0) {
      throw new IOException("no audio format: the call ended before any segment started");
    }
    javax.sound.sampled.AudioFormat format =
        new javax.sound.sampled.AudioFormat(rate, 16, layout.channels(), true, false);
    return new AudioInputStream(this, format, AudioSystem.NOT_SPECIFIED);
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    lock.lock();
    try {
      while (true) {
        if (closed) {
          throw new IOException("PCM stream closed");
        }
        if (count > 0) {
          break;
        }
        if (ended) {
          return len == 0 ? 0 : -1;
        }
        if (len == 0) {
          return 0;
        }
        awaitChange();
      }
      int n = Math.min(len, count);
      int first = Math.min(n, ring.length - head);
      System.arraycopy(ring, head, b, off, first);
      System.arraycopy(ring, 0, b, off + first, n - first);
      head = (head + n) % ring.length;
      count -= n;
      readBytes += n;
      return n;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public int available() throws IOException {
    lock.lock();
    try {
      if (closed) {
        throw new IOException("PCM stream closed");
      }
      return count;
    } finally {
      lock.unlock();
    }
  }

  /** Discards buffered audio; the call goes on, but this stream receives nothing more. Idempotent. */
  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      ring = null;
      count = 0;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  // ---- writer side, called by PcmStreamListener on the call's thread ----

  /** Sizes the buffer for the call's rate; the first call counts. */
  void begin(int rate) {
    lock.lock();
    try {
      if (sampleRate != 0 || closed) {
        return;
      }
      sampleRate = rate;
      long bytes = capacity.toNanos() * rate / 1_000_000_000L * blockAlign;
      bytes = Math.max(bytes, 2L * blockAlign);
      if (bytes > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException("capacity too large: " + capacity);
      }
      ring = new byte[(int) bytes];
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Appends whole sample frames; null {@code data} means {@code len} bytes of silence. */
  void write(byte[] data, int off, int len) {
    lock.lock();
    try {
      if (closed || ended || ring == null || len <= 0) {
        return;
      }
      int capacityBytes = ring.length;
      if (count + len > capacityBytes) {
        // Keep the rest of a sample frame the reader has half read, drop whole frames after it.
        int keep = (int) ((blockAlign - readBytes % blockAlign) % blockAlign);
        int needed = roundUp(count + len - capacityBytes);
        int drop = Math.min(needed, count - keep);
        for (int i = keep - 1; i >= 0; i--) {
          ring[(head + drop + i) % capacityBytes] = ring[(head + i) % capacityBytes];
        }
        head = (head + drop) % capacityBytes;
        count -= drop;
        droppedBytes += drop;
        if (count + len > capacityBytes) {
          int trim = roundUp(count + len - capacityBytes);
          off += trim;
          len -= trim;
          droppedBytes += trim;
        }
      }
      int tail = (head + count) % capacityBytes;
      int first = Math.min(len, capacityBytes - tail);
      if (data == null) {
        Arrays.fill(ring, tail, tail + first, (byte) 0);
        Arrays.fill(ring, 0, len - first, (byte) 0);
      } else {
        System.arraycopy(data, off, ring, tail, first);
        System.arraycopy(data, off + first, ring, 0, len - first);
      }
      count += len;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Counts audio that could not be delivered (a stereo side later than the window). */
  void countDropped(int bytes) {
    lock.lock();
    try {
      droppedBytes += bytes;
    } finally {
      lock.unlock();
    }
  }

  /** The call ended: readers get what is buffered, then -1. */
  void end() {
    lock.lock();
    try {
      ended = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private int roundUp(int bytes) {
    return (bytes + blockAlign - 1) / blockAlign * blockAlign;
  }

  private void awaitChange() throws InterruptedIOException {
    try {
      changed.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for audio");
    }
  }
}
