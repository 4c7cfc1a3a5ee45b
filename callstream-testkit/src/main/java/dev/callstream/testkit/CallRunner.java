package dev.callstream.testkit;

import dev.callstream.core.AudioChannel;
import dev.callstream.core.CallStreamException;
import dev.callstream.server.wire.Connected;
import dev.callstream.server.wire.Media;
import dev.callstream.server.wire.SequenceMode;
import dev.callstream.server.wire.Start;
import dev.callstream.server.wire.Stop;
import dev.callstream.testkit.internal.FaultDice;
import dev.callstream.testkit.internal.RunningCalls;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plays one call: a small state machine driven by send completions (one outstanding send per
 * socket, as the JDK WebSocket requires) and, in real time, by wake-ups of the sender's shared clock.
 * Messages are generated one 20 ms tick at a time, so nothing is buffered beyond one tick.
 *
 * <p>At most one of "a send in flight", "a clock wake-up pending" or "a close pending" is
 * outstanding at a time, so {@link #pump()} never runs concurrently with itself; it holds this
 * object's monitor anyway so that a failure reported by the socket's listener reads consistent
 * counters.
 */
final class CallRunner implements WebSocket.Listener, RunningCalls.Call<CallResult> {
  private static final Logger log = LoggerFactory.getLogger(FakeEngageVoice.class);
  private static final long FRAME_NANOS = 20_000_000L;
  private static final int GARBAGE_KINDS = 3;
  private static final AudioChannel[] SIDES = {AudioChannel.AGENT, AudioChannel.CONFERENCE};

  private enum Phase { CONNECTING, MEDIA, CLOSING }

  private final FakeEngageVoice sender;
  private final CallScript script;
  private final CompletableFuture<CallResult> result = new CompletableFuture<>();
  private final AtomicBoolean finished = new AtomicBoolean();
  private final long startedNanos = System.nanoTime();
  private final FaultDice dice;
  private final long frames;
  private final long abortTick;
  private final long[] garbageTicks;

  private volatile WebSocket socket;
  private volatile int attempts;
  private volatile int closeCode = -1;
  private volatile ScheduledFuture<?> timer;

  // Guarded by this.
  private Phase phase = Phase.CONNECTING;
  private final ArrayDeque<String> pending = new ArrayDeque<>();
  private long tick;
  private long mediaStartNanos;
  private final byte[] frame = new byte[AudioSource.FRAME_BYTES];
  private final String[] held = new String[2];
  private final long[] heldSequence = new long[2];
  private final long[] framesSent = new long[2];
  private final long[] mediaSent = new long[2];
  private final List<List<Long>> dropped = List.of(new ArrayList<>(), new ArrayList<>());
  private final List<List<Long>> duplicated = List.of(new ArrayList<>(), new ArrayList<>());
  private final List<List<Long>> reordered = List.of(new ArrayList<>(), new ArrayList<>());
  private int garbageSent;

  CallRunner(FakeEngageVoice sender, CallScript script) {
    this.sender = sender;
    this.script = script;
    this.frames = script.frames();
    this.dice = sender.settings.dice(script.index());
    // Call-level faults are drawn first, in a fixed order, so they do not depend on the audio.
    this.abortTick = dice.abortPoint(frames);
    this.garbageTicks = dice.garbagePoints(GARBAGE_KINDS, frames);
  }

  @Override
  public CompletableFuture<CallResult> result() {
    return result;
  }

  @Override
  public void begin() {
    connect();
  }

  @Override
  public void shutdown() {
    fail(new CallStreamException("sender closed while call " + script.callId() + " was running"));
  }

  // ---- handshake

  private void connect() {
    if (finished.get()) {
      return;
    }
    attempts++;
    try {
      WebSocket.Builder builder = sender.httpClient.newWebSocketBuilder().connectTimeout(sender.connectTimeout);
      if (sender.settings.secret() != null) {
        builder.header("Authorization", "Bearer " + sender.settings.secret());
      }
      log.debug("call {}: upgrade attempt {}", script.callId(), attempts);
      builder.buildAsync(upgradeUri(), this).whenComplete((webSocket, error) -> {
        if (error == null) {
          opened(webSocket);
        } else {
          handshakeFailed(error);
        }
      });
    } catch (RuntimeException e) {
      fail(e);
    }
  }

  private URI upgradeUri() {
    URI url = sender.url;
    StringBuilder uri = new StringBuilder();
    uri.append(url.getScheme()).append("://").append(url.getRawAuthority());
    String path = url.getRawPath();
    uri.append(path == null || path.isEmpty() ? "/" : path);
    uri.append('?');
    if (url.getRawQuery() != null && !url.getRawQuery().isEmpty()) {
      uri.append(url.getRawQuery()).append('&');
    }
    boolean first = true;
    for (Map.Entry<String, String> parameter : script.query().entrySet()) {
      if (!first) {
        uri.append('&');
      }
      first = false;
      uri.append(URLEncoder.encode(parameter.getKey(), StandardCharsets.UTF_8))
          .append('=')
          .append(URLEncoder.encode(parameter.getValue(), StandardCharsets.UTF_8));
    }
    return URI.create(uri.toString());
  }

  private void handshakeFailed(Throwable error) {
    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (cause instanceof WebSocketHandshakeException handshake) {
      int status = handshake.getResponse().statusCode();
      if (status >= 500 && attempts < sender.maxAttempts) {
        long backoff = sender.retryBackoff.toNanos() << (attempts - 1);
        log.debug("call {}: upgrade got HTTP {}, retrying", script.callId(), status);
        try {
          timer = sender.clock.schedule(this::connect, backoff, TimeUnit.NANOSECONDS);
        } catch (RuntimeException e) {
          fail(e);
        }
        return;
      }
      fail(new HandshakeFailedException(script.callId(), status, attempts));
      return;
    }
    fail(new CallStreamException(
        "cannot connect call " + script.callId() + " to " + sender.url + ": " + cause, cause));
  }

  private void opened(WebSocket webSocket) {
    socket = webSocket;
    synchronized (this) {
      if (finished.get()) {
        webSocket.abort();
        return;
      }
      pending.add(sender.codec.encode(new Connected("AgentSession", "1.0.0")));
      pending.add(sender.codec.encode(start()));
      phase = Phase.MEDIA;
      mediaStartNanos = System.nanoTime();
    }
    pump();
  }

  private Start start() {
    return new Start(
        script.callId(), script.sessionId(), script.id("ani"), script.id("dnis"), script.id("accountId"),
        script.id("subaccountId"), script.id("rcAccountId"), script.id("agentId"), script.id("productType"),
        script.id("productId"), "audio/x-mulaw", 8000, script.extraMetadata());
  }

  // ---- sending

  private synchronized void pump() {
    try {
      while (!finished.get()) {
        String message = pending.poll();
        if (message == null) {
          if (!refill()) {
            return;
          }
          continue;
        }
        CompletableFuture<WebSocket> sent = socket.sendText(message, true);
        if (sent.isDone() && !sent.isCompletedExceptionally()) {
          continue; // written at once: loop rather than recurse
        }
        sent.whenComplete((webSocket, error) -> {
          if (error != null) {
            fail(error);
          } else {
            pump();
          }
        });
        return;
      }
    } catch (RuntimeException e) {
      fail(e);
    }
  }

  /** Queues the next messages; false when nothing is to be sent now (a wake-up or close is pending). */
  private boolean refill() {
    if (phase != Phase.MEDIA) {
      return false;
    }
    if (tick == abortTick) {
      log.debug("call {}: aborting at frame {} as scripted", script.callId(), tick);
      socket.abort();
      finish(true, true, null);
      return false;
    }
    if (tick < frames) {
      if (sender.settings.pacing() == Pacing.REALTIME) {
        long wait = mediaStartNanos + tick * FRAME_NANOS - System.nanoTime();
        if (wait > 0) {
          timer = sender.clock.schedule(this::pump, wait, TimeUnit.NANOSECONDS);
          return false;
        }
      }
      queueTick(tick++);
      return true;
    }
    for (int side = 0; side < 2; side++) {
      releaseHeld(side); // only when the last frame was chosen for reordering
    }
    if (!pending.isEmpty()) {
      return true;
    }
    if (tick == frames) {
      tick++; // marks the Stops as queued
      long seconds = Math.round(frames * 0.02);
      String endTime = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
      String stop = sender.codec.encode(new Stop(null, seconds, endTime, Map.of()));
      pending.add(stop);
      pending.add(stop);
      return true;
    }
    phase = Phase.CLOSING;
    socket.sendClose(WebSocket.NORMAL_CLOSURE, "").whenComplete((webSocket, error) -> {
      if (error != null) {
        fail(error);
        return;
      }
      try {
        timer = sender.clock.schedule(this::closeTimedOut, sender.closeTimeout.toNanos(), TimeUnit.NANOSECONDS);
      } catch (RuntimeException e) {
        fail(e);
      }
    });
    return false;
  }

  private void queueTick(long k) {
    for (int kind = 0; kind < GARBAGE_KINDS; kind++) {
      if (garbageTicks[kind] == k) {
        pending.add(garbage(kind, sequence(0, k)));
        garbageSent++;
      }
    }
    for (int side = 0; side < 2; side++) {
      AudioSource source = side == 0 ? script.agent() : script.conference();
      if (k < source.frameCount()) {
        source.readFrame(k, frame);
      } else {
        Arrays.fill(frame, AudioSource.MULAW_SILENCE);
      }
      long sequence = sequence(side, k);
      Fault fault = dice.draw();
      String media = sender.codec.encode(new Media(SIDES[side], sequence, frame));
      if (held[side] != null) {
        queueMedia(side, media);
        releaseHeld(side);
        continue;
      }
      if (fault == Fault.DROP) {
        dropped.get(side).add(sequence);
      } else if (fault == Fault.DUPLICATE) {
        queueMedia(side, media);
        pending.add(media);
        mediaSent[side]++;
        duplicated.get(side).add(sequence);
      } else if (fault == Fault.REORDER && k + 1 < frames) {
        held[side] = media;
        heldSequence[side] = sequence;
      } else {
        queueMedia(side, media);
      }
    }
  }

  private void queueMedia(int side, String media) {
    pending.add(media);
    framesSent[side]++;
    mediaSent[side]++;
  }

  private void releaseHeld(int side) {
    if (held[side] != null) {
      queueMedia(side, held[side]);
      reordered.get(side).add(heldSequence[side]);
      held[side] = null;
    }
  }

  private long sequence(int side, long k) {
    return sender.sequenceMode == SequenceMode.PER_CONNECTION ? 2 * k + 1 + side : k + 1;
  }

  private static String garbage(int kind, long sequence) {
    return switch (kind) {
      case 0 -> "{\"event\":\"Media\",\"perspective\":\"Participant\",\"sequenceId\":";
      case 1 -> "{\"perspective\":\"Participant\",\"sequenceId\":\"" + sequence + "\",\"media\":\"/w==\"}";
      default -> "{\"event\":\"Media\",\"perspective\":\"Participant\",\"sequenceId\":\"" + sequence
          + "\",\"media\":\"*** not base64 ***\"}";
    };
  }

  private void closeTimedOut() {
    log.debug("call {}: no close reply within {}", script.callId(), sender.closeTimeout);
    WebSocket webSocket = socket;
    if (webSocket != null) {
      webSocket.abort();
    }
    finish(true, false, null);
  }

  // ---- WebSocket.Listener

  @Override
  public void onOpen(WebSocket webSocket) {
    socket = webSocket;
    webSocket.request(Long.MAX_VALUE); // the server rarely says anything; never hold its messages
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    closeCode = statusCode;
    boolean closing;
    synchronized (this) {
      // The platform's normal end: once both Stops are out, the server may close first (it has
      // everything); that races with our own close and is a completed call, not a failure.
      boolean stopsSent = tick > frames && pending.isEmpty();
      closing = phase == Phase.CLOSING || (stopsSent && statusCode == WebSocket.NORMAL_CLOSURE);
    }
    if (closing) {
      finish(true, false, null);
    } else {
      fail(new CallStreamException("server closed call " + script.callId() + " with code " + statusCode
          + (reason == null || reason.isEmpty() ? "" : " (" + reason + ")") + " before the call ended"));
    }
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    fail(error);
  }

  // ---- ending

  private void fail(Throwable error) {
    if (finished.get()) {
      return;
    }
    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    log.debug("call {}: failed: {}", script.callId(), cause.toString());
    WebSocket webSocket = socket;
    if (webSocket != null) {
      webSocket.abort();
    }
    finish(false, false, cause);
  }

  private void finish(boolean completed, boolean aborted, Throwable failure) {
    if (!finished.compareAndSet(false, true)) {
      return;
    }
    ScheduledFuture<?> pendingTimer = timer;
    if (pendingTimer != null) {
      pendingTimer.cancel(false);
    }
    CallResult callResult;
    synchronized (this) {
      callResult = new CallResult(
          script.index(), script.callId(), script.sessionId(), completed, aborted, attempts, failure,
          report(0), report(1), garbageSent, closeCode, Duration.ofNanos(System.nanoTime() - startedNanos));
    }
    log.debug("call {}: ended, completed={} aborted={}", script.callId(), completed, aborted);
    result.complete(callResult);
  }

  private ChannelReport report(int side) {
    return new ChannelReport(
        frames, framesSent[side], mediaSent[side], dropped.get(side), duplicated.get(side), reordered.get(side));
  }
}
