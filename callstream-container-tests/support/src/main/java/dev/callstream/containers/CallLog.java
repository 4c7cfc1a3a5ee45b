package dev.callstream.containers;

import dev.callstream.core.AudioFrame;
import dev.callstream.core.CallInfo;
import dev.callstream.core.CallSession;
import dev.callstream.core.CallStreamException;
import dev.callstream.core.CallStreamListener;
import dev.callstream.core.EndReason;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A listener factory that notes, per call id, how many listeners were created, every {@code onEnd}
 * (reason and cause), the errors reported and the frames delivered; callbacks of one call must
 * arrive one at a time (checked).
 */
public final class CallLog implements CallStreamListener.Factory {
  /** One call's observations. */
  public static final class Call {
    public final AtomicInteger created = new AtomicInteger();
    public final List<EndReason> ends = new CopyOnWriteArrayList<>();
    public final List<Throwable> causes = new CopyOnWriteArrayList<>();
    public final List<CallStreamException> errors = new CopyOnWriteArrayList<>();
    public final AtomicInteger frames = new AtomicInteger();
    public final AtomicInteger overlaps = new AtomicInteger();
    public volatile CallInfo info;
  }

  private final Map<String, Call> calls = new ConcurrentHashMap<>();
  private final AtomicInteger created = new AtomicInteger();

  /** The call with this id (created empty if never seen). */
  public Call call(String callId) {
    return calls.computeIfAbsent(callId, id -> new Call());
  }

  /** Listeners created so far, over all calls. */
  public int created() {
    return created.get();
  }

  /** Calls that have ended (at least one onEnd). */
  public int ended() {
    return (int) calls.values().stream().filter(c -> !c.ends.isEmpty()).count();
  }

  public Map<String, Call> calls() {
    return Map.copyOf(calls);
  }

  @Override
  public CallStreamListener create(CallInfo info) {
    created.incrementAndGet();
    String id = info.callId() == null ? "?" : info.callId();
    Call call = call(id);
    call.info = info;
    call.created.incrementAndGet();
    AtomicInteger inside = new AtomicInteger();
    return new CallStreamListener() {
      private void enter() {
        if (inside.incrementAndGet() != 1) {
          call.overlaps.incrementAndGet();
        }
      }

      private void exit() {
        inside.decrementAndGet();
      }

      @Override
      public void onAudio(CallSession session, AudioFrame frame) {
        enter();
        call.frames.incrementAndGet();
        exit();
      }

      @Override
      public void onError(CallSession session, CallStreamException error) {
        enter();
        call.errors.add(error);
        exit();
      }

      @Override
      public void onEnd(CallSession session, EndReason reason, Throwable cause) {
        enter();
        call.causes.add(cause == null ? new RuntimeException("(no cause)") : cause);
        call.ends.add(reason);
        exit();
      }
    };
  }
}
