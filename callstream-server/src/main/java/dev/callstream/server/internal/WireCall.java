package dev.callstream.server.internal;

import dev.callstream.core.AudioChannel;
import dev.callstream.core.CallInfo;
import dev.callstream.core.CallMetadata;
import dev.callstream.core.CallSession;
import dev.callstream.core.CallStreamException;
import dev.callstream.core.CallStreamListener;
import dev.callstream.core.EndReason;
import dev.callstream.core.Participant;
import dev.callstream.core.ParticipantType;
import dev.callstream.core.audio.AudioFormat;
import dev.callstream.core.internal.CallDriver;
import dev.callstream.core.internal.LogSafe;
import dev.callstream.server.wire.Connected;
import dev.callstream.server.wire.MalformedMessageException;
import dev.callstream.server.wire.Media;
import dev.callstream.server.wire.Perspective;
import dev.callstream.server.wire.SequenceMode;
import dev.callstream.server.wire.Start;
import dev.callstream.server.wire.Stop;
import dev.callstream.server.wire.StreamEvent;
import dev.callstream.server.wire.Unknown;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Maps one WebSocket call's events onto the transport-neutral {@link CallDriver}: the call is two
 * fixed segments, {@code agent} (perspective Participant) and {@code conference} (perspective
 * Conference), started right after {@code onStart} (or at the first Media, when it comes first).
 * <ul>
 *   <li>Start: {@code onTransportEvent}, {@code onStart}, the two segments; a second Start is
 *       reported and ignored.
 *   <li>Media: positions from the {@link CallSequencer} (per-perspective or per-connection
 *       numbering), sequenced per segment by the driver.
 *   <li>Stop: every frame received so far is delivered first (the sequencer's hold and both
 *       segments' windows are flushed), then {@code onTransportEvent}; a Stop naming a side stops
 *       that segment; once the call's Stops are complete (two, unless both name the same side) the
 *       remaining segments stop and the call ends {@link EndReason#STOPPED}.
 *   <li>Connected and unknown events: {@code onTransportEvent}.
 * </ul>
 * Not thread-safe: one call's events come from its dispatch lane.
 */
public final class WireCall {
  private final CallInfo info;
  private final int window;
  private final CallDriver driver;
  /** Created with the two segments, on their timelines. */
  private CallSequencer sequencer;
  private final Map<String, Object> wire = new LinkedHashMap<>();
  private final List<Object> stopFields = new ArrayList<>();
  private final List<Stop> stops = new ArrayList<>();
  private boolean started;
  private boolean segments;
  private SequenceMode publishedMode = SequenceMode.UNDETERMINED;

  /**
   * @param info the upgrade's call info
   * @param listener the call's listener
   * @param reorderWindow frames held for a missing one (at least 1)
   * @param closeConnection asked to close the connection when the listener closes the call or throws
   */
  public WireCall(CallInfo info, CallStreamListener listener, int reorderWindow, Runnable closeConnection) {
    this.info = Objects.requireNonNull(info, "info");
    this.driver = new CallDriver(info, listener, reorderWindow, closeConnection);
    this.window = reorderWindow;
    wire.put("query", info.parameters());
    wire.put("stops", List.of());
    wire.put("sequenceMode", label(SequenceMode.UNDETERMINED));
    driver.wireDetails(wire);
  }

  /** The session handed to the listener. */
  public CallSession session() {
    return driver.session();
  }

  /** The numbering detected for this call's {@code sequenceId}s. */
  public SequenceMode sequenceMode() {
    return publishedMode;
  }

  /**
   * Takes one event in arrival order.
   *
   * @return false once the call has ended (further events are ignored)
   */
  public boolean accept(StreamEvent event) {
    Objects.requireNonNull(event, "event");
    if (driver.ended()) {
      return false;
    }
    if (event instanceof Media media) {
      startSegments(AudioFormat.MULAW_8K);
      if (sequencer == null) {
        return !driver.ended();
      }
      driver.guard(() -> sequencer.accept(media));
      if (sequencer.mode() != publishedMode) {
        publishedMode = sequencer.mode();
        wire.put("sequenceMode", label(publishedMode));
        driver.wireDetails(wire);
      }
    } else if (event instanceof Start start) {
      start(start);
    } else if (event instanceof Stop stop) {
      stop(stop);
    } else if (event instanceof Connected connected) {
      driver.transportEvent(connected);
    } else if (event instanceof Unknown unknown) {
      driver.transportEvent(unknown);
    }
    return !driver.ended();
  }

  /** Reports a non-fatal problem (a skipped malformed message) to the listener. */
  public void reportError(CallStreamException error) {
    driver.reportError(error);
  }

  /** Ends the call: frames still held are delivered (missing ones become gaps), then {@code onEnd}. Idempotent. */
  public void end(EndReason reason, Throwable cause) {
    if (sequencer != null) {
      driver.guard(sequencer::flush);
    }
    driver.end(reason, cause);
  }

  /** True once {@code onEnd} has been called. */
  public boolean ended() {
    return driver.ended();
  }

  private void start(Start start) {
    if (started) {
      driver.reportError(new MalformedMessageException(
          "duplicate Start for call " + LogSafe.id(driver.session().callId()) + " ignored"));
      return;
    }
    started = true;
    wire.put("start", start.metadata());
    driver.wireDetails(wire);
    driver.transportEvent(start);
    CallMetadata metadata = new CallMetadata(
        or(start.callId(), info.callId()), or(start.sessionId(), info.sessionId()),
        or(start.accountId(), info.accountId()), or(start.subaccountId(), info.subaccountId()),
        or(start.rcAccountId(), info.rcAccountId()), or(start.agentId(), info.agentId()),
        or(start.productType(), info.productType()), or(start.productId(), info.productId()),
        null, or(start.ani(), info.ani()), or(start.dnis(), info.dnis()), null, Map.of());
    driver.start(metadata, wire);
    startSegments(start.audioFormat());
  }

  private void startSegments(AudioFormat format) {
    if (segments || driver.ended()) {
      return;
    }
    segments = true;
    driver.segmentStart(Perspective.segmentId(AudioChannel.AGENT),
        new Participant(Perspective.segmentId(AudioChannel.AGENT), ParticipantType.AGENT, null), format, 0);
    driver.segmentStart(Perspective.segmentId(AudioChannel.CONFERENCE),
        new Participant(Perspective.segmentId(AudioChannel.CONFERENCE), ParticipantType.CONTACT, null), format, 0);
    if (!driver.ended()) {
      sequencer = new CallSequencer(window, driver.timeline(Perspective.segmentId(AudioChannel.AGENT)),
          driver.timeline(Perspective.segmentId(AudioChannel.CONFERENCE)));
    }
  }

  private void stop(Stop stop) {
    // every frame received before this Stop reaches the listener before it
    if (sequencer != null) {
      driver.guard(sequencer::flush);
    }
    stops.add(stop);
    stopFields.add(stop.metadata());
    wire.put("stops", List.copyOf(stopFields));
    driver.wireDetails(wire);
    driver.transportEvent(stop);
    if (segments && stop.channel() != null) {
      String id = Perspective.segmentId(stop.channel());
      if (driver.isActive(id)) {
        driver.segmentStop(id);
      }
    }
    if (bothSidesStopped()) {
      if (segments) {
        for (AudioChannel side : AudioChannel.values()) {
          String id = Perspective.segmentId(side);
          if (driver.isActive(id)) {
            driver.segmentStop(id);
          }
        }
      }
      driver.end(EndReason.STOPPED, null);
    }
  }

  /** The platform sends one Stop per perspective without naming it: two Stops end the call, unless both name the same side. */
  private boolean bothSidesStopped() {
    boolean agent = false;
    boolean conference = false;
    int unnamed = 0;
    for (Stop stop : stops) {
      if (stop.channel() == AudioChannel.AGENT) {
        agent = true;
      } else if (stop.channel() == AudioChannel.CONFERENCE) {
        conference = true;
      } else {
        unnamed++;
      }
    }
    return (agent ? 1 : 0) + (conference ? 1 : 0) + unnamed >= 2;
  }

  private static String or(String first, String fallback) {
    return first != null ? first : fallback;
  }

  private static String label(SequenceMode mode) {
    return mode.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
