package dev.callstream.kafka;

import dev.callstream.core.AudioFrame;
import dev.callstream.core.CallInfo;
import dev.callstream.core.CallSession;
import dev.callstream.core.CallStreamListener;
import dev.callstream.core.EndReason;
import dev.callstream.core.Gap;
import dev.callstream.core.Segment;
import dev.callstream.core.SegmentInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Records every model callback of every call as text lines, by call id, to compare two runs. */
final class Tracer implements CallStreamListener.Factory {
  final Map<String, List<String>> calls = new ConcurrentHashMap<>();
  final Map<String, Integer> ends = new ConcurrentHashMap<>();

  @Override
  public CallStreamListener create(CallInfo info) {
    return new CallStreamListener() {
      final List<String> lines = new ArrayList<>();

      @Override
      public void onStart(CallSession s) {
        lines.add("start " + s.callId() + " " + s.sessionId() + " " + s.metadata().agentId() + " "
            + s.metadata().attributes() + " " + s.info().productId());
      }

      @Override
      public void onSegmentStart(CallSession s, Segment seg) {
        lines.add("segment " + seg.id() + " " + seg.participant() + " " + seg.format() + " " + seg.startMillis());
      }

      @Override
      public void onAudio(CallSession s, AudioFrame f) {
        lines.add("audio " + f.segment().id() + " " + f.position() + " " + f.sequence() + " "
            + HexFormat.of().formatHex(Arrays.copyOf(f.payload(), 8)) + " " + f.payload().length);
      }

      @Override
      public void onGap(CallSession s, Gap g) {
        lines.add("gap " + g.segment().id() + " " + g.fromPosition() + " " + g.frameCount());
      }

      @Override
      public void onSegmentInfo(CallSession s, Segment seg, SegmentInfo info) {
        lines.add("info " + seg.id() + " " + info);
      }

      @Override
      public void onSegmentStop(CallSession s, Segment seg) {
        lines.add("stop " + seg.id());
      }

      @Override
      public void onEnd(CallSession s, EndReason reason, Throwable cause) {
        lines.add("end " + reason);
        ends.merge(s.callId(), 1, Integer::sum);
        if (reason != EndReason.SHUTDOWN) {
          calls.put(s.callId(), List.copyOf(lines));
        }
      }
    };
  }
}
