package dev.callstream.kafka;

import dev.callstream.core.CallInfo;
import dev.callstream.core.CallMetadata;
import dev.callstream.core.CallStreamListener;
import dev.callstream.core.EndReason;
import dev.callstream.core.Participant;
import dev.callstream.core.ParticipantType;
import dev.callstream.core.Transport;
import dev.callstream.core.TransportEvent;
import dev.callstream.core.audio.AudioFormat;
import dev.callstream.core.internal.CallDriver;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * WebSocket-shaped calls driven through the real {@link CallDriver} (what the server does after
 * parsing the wire), with loss, reordering and duplicates, interleaved frame by frame across calls.
 */
final class LiveCalls {
  private LiveCalls() {}

  /** One scripted call. */
  static final class Call {
    final String callId;
    final int frames;
    final byte[][] agent;
    final byte[][] conference;
    final CallDriver driver;
    final Map<String, Object> wire = new LinkedHashMap<>();
    /** Both sides' format, set before {@link #begin()}. */
    AudioFormat format = AudioFormat.MULAW_8K;
    int next;
    boolean ended;

    Call(String callId, int frames, long seed, CallStreamListener.Factory factory) {
      this.callId = callId;
      this.frames = frames;
      Random random = new Random(seed);
      agent = new byte[frames][160];
      conference = new byte[frames][160];
      for (int n = 0; n < frames; n++) {
        random.nextBytes(agent[n]);
        random.nextBytes(conference[n]);
      }
      Map<String, String> query = new LinkedHashMap<>();
      query.put("callId", callId);
      query.put("sessionId", "s1");
      query.put("secret", "do-not-publish");
      CallInfo info = new CallInfo(Transport.WSS, callId, "s1", "6505550100", "8005550199", "acc", null, null, null,
          "Queue", "q1", query);
      driver = new CallDriver(info, factory.create(info), CallDriver.DEFAULT_REORDER_WINDOW, () -> {});
      wire.put("query", info.parameters());
      Map<String, Object> start = new LinkedHashMap<>();
      start.put("callId", callId);
      start.put("sessionId", "s1");
      start.put("token", "hidden");
      wire.put("start", start);
    }

    void begin() {
      driver.start(new CallMetadata(callId, "s1", "acc", null, null, "agent7", "Queue", "q1", null, "6505550100",
          "8005550199", null, Map.of("k", "v")), wire);
      driver.segmentStart("agent", new Participant("agent", ParticipantType.AGENT, null), format, 0);
      driver.segmentStart("conference", new Participant("conference", ParticipantType.CONTACT, null),
          format, 0);
    }

    boolean done() {
      return next >= frames;
    }

    /** The next frame of both sides, with a swap, a loss and a duplicate now and then. */
    void step() {
      int n = next++;
      int agentSequence = n % 50 == 5 ? n + 1 : n % 50 == 6 ? n - 1 : n;
      if (agentSequence % 97 != 10) {
        driver.media("agent", agentSequence, agent[agentSequence]);
      }
      if (n % 113 != 40) {
        driver.media("conference", n, conference[n]);
      }
      if (n % 70 == 3) {
        driver.media("conference", n, conference[n]);
      }
    }

    void finish() {
      List<Object> stops = new ArrayList<>();
      stops.add(Map.of("duration", frames / 50, "end_time", "2026-01-01T00:00:00Z"));
      wire.put("stops", stops);
      driver.wireDetails(wire);
      driver.transportEvent(new Stop(Map.of("duration", frames / 50, "end_time", "2026-01-01T00:00:00Z")));
      driver.segmentStop("agent");
      driver.segmentStop("conference");
      driver.end(EndReason.STOPPED, null);
      ended = true;
    }
  }

  record Stop(Map<String, Object> fields) implements TransportEvent {
    @Override
    public Transport transport() {
      return Transport.WSS;
    }

    @Override
    public String name() {
      return "Stop";
    }
  }

  /** Runs calls concurrently (interleaved on this thread): all begin, then frames round-robin, then all end. */
  static List<Call> run(CallStreamListener.Factory factory, int calls, int frames, long seed) {
    return run(factory, calls, frames, seed, 7);
  }

  /** As {@link #run(CallStreamListener.Factory, int, int, long)}; call {@code i} has {@code frames + i * step} frames. */
  static List<Call> run(CallStreamListener.Factory factory, int calls, int frames, long seed, int step) {
    List<Call> list = new ArrayList<>();
    for (int i = 0; i < calls; i++) {
      Call call = new Call("call-" + i, frames + i * step, seed + i, factory);
      call.begin();
      list.add(call);
    }
    boolean more = true;
    while (more) {
      more = false;
      for (Call call : list) {
        if (!call.done()) {
          call.step();
          more = true;
        }
      }
    }
    for (Call call : list) {
      call.finish();
    }
    return list;
  }
}
