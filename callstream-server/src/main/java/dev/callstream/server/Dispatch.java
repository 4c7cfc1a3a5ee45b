package dev.callstream.server;

/**
 * Which thread runs a call's listener callbacks; see {@link CallStreamServer.Builder#dispatch}.
 */
public enum Dispatch {
  /**
   * The default: each call's events are queued on the call's own lane and run by the shared pool of
   * {@link CallStreamServer.Builder#dispatchThreads} threads. A listener that is slow or blocks delays
   * only its own call (once its lane is full, reading of that call's connection pauses: see
   * back-pressure). A dispatch thread is woken at most a millisecond after a message was read, once
   * for all messages read meanwhile.
   */
  POOL,
  /**
   * Runs a call's listener callbacks directly on the I/O thread that read its message: no hand-off
   * between threads, so the least CPU per message and the lowest latency. Only for listeners that never
   * block and return quickly (counting, copying into a non-blocking queue, writing to a memory buffer).
   * A listener that blocks or is slow (a synchronous disk or network write, a lock held elsewhere)
   * stalls every call served by the same I/O thread and slows their senders through TCP
   * back-pressure. {@link CallStreamServer.Builder#build} refuses a listener factory that declares it
   * blocks ({@link dev.callstream.core.CallStreamListener.Factory#blocks()}, such as
   * {@code CallRecorder}, whose files are written synchronously). The listener factory's
   * {@code create} runs on the I/O thread too. Events of a call are still delivered one at a time and in order; the end of a call
   * that is not caused by a message (idle timeout, shutdown, a dropped connection) may be delivered on
   * a dispatch-pool thread instead.
   */
  IO_THREAD
}
