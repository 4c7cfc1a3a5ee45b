package dev.callstream.core.recording;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.callstream.core.AudioChannel;
import dev.callstream.core.AudioFrame;
import dev.callstream.core.CallSession;
import dev.callstream.core.CallStreamListener;
import dev.callstream.core.ChannelStats;
import dev.callstream.core.EndReason;
import dev.callstream.core.Gap;
import dev.callstream.core.Secrets;
import dev.callstream.core.Segment;
import dev.callstream.core.SegmentInfo;
import dev.callstream.core.Transport;
import dev.callstream.core.TransportEvent;
import dev.callstream.core.audio.AudioFormat;
import dev.callstream.core.internal.LogSafe;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One call's recording: the listener a {@link CallRecorder} creates per call. */
final class CallRecording implements CallStreamListener {

  static final String CALL_JSON = "call.json";
  static final String CALL_JSON_TEMP = "call.json.tmp";

  private static final Logger LOG = LoggerFactory.getLogger(CallRecording.class);
  private static final int MAX_FOLDER_ATTEMPTS = 10_000;

  private final CallRecorder recorder;
  private final Set<String> stopped = new HashSet<>();
  private final Map<String, List<SegmentInfo>> infos = new LinkedHashMap<>();
  private Tracks tracks;
  private Path folder;
  private String error;
  private boolean failed;
  private boolean finished;
  private boolean started;

  CallRecording(CallRecorder recorder) {
    this.recorder = recorder;
  }

  @Override
  public void onStart(CallSession session) {
    boolean existed = folder != null;
    open(session);
    if (existed) {
      saveCallJson(session, null);
    }
  }

  @Override
  public void onSegmentStart(CallSession session, Segment segment) {
    open(session);
    if (failed || finished) {
      return;
    }
    try {
      tracks.segmentStart(segment);
    } catch (IOException e) {
      fail(session, e);
    }
  }

  @Override
  public void onAudio(CallSession session, AudioFrame frame) {
    open(session);
    if (failed || finished) {
      return;
    }
    try {
      tracks.frame(session, frame);
    } catch (IOException e) {
      fail(session, e);
    }
  }

  @Override
  public void onGap(CallSession session, Gap gap) {
    open(session);
    if (failed || finished || gap.frameCount() <= 0) {
      return;
    }
    try {
      tracks.gap(gap);
    } catch (IOException e) {
      fail(session, e);
    }
  }

  @Override
  public void onSegmentInfo(CallSession session, Segment segment, SegmentInfo info) {
    infos.computeIfAbsent(segment.id(), id -> new ArrayList<>()).add(info);
  }

  @Override
  public void onSegmentStop(CallSession session, Segment segment) {
    stopped.add(segment.id());
    if (folder != null && !finished && session.transport() != Transport.WSS) {
      saveCallJson(session, null);
    }
  }

  @Override
  public void onTransportEvent(CallSession session, TransportEvent event) {
    // WebSocket: call.json follows each Stop as today (the session's wire details already hold it)
    if (folder != null && !finished && "Stop".equals(event.name())) {
      saveCallJson(session, null);
    }
  }

  @Override
  public void onEnd(CallSession session, EndReason reason, Throwable cause) {
    if (folder == null || finished) {
      finished = true;
      return;
    }
    if (!failed) {
      try {
        tracks.finish();
        closeFiles();
      } catch (IOException e) {
        fail(session, e);
      }
    }
    finished = true;
    saveCallJson(session, reason);
    boolean complete = complete(session, reason);
    if (!started) {
      return;
    }
    LOG.debug("call {} recording finished: {} complete={}", LogSafe.id(session.callId()), reason.label(), complete);
    try {
      recorder.events().finished(session, folder, reason, complete);
    } catch (RuntimeException e) {
      LOG.warn("CallRecorder.Events.finished threw for call {}", LogSafe.id(session.callId()), e);
    }
  }

  /** Every started segment stopped (WebSocket: both Stops arrived); for gRPC the stream also ended normally. */
  private boolean complete(CallSession session, EndReason reason) {
    if (reason == null || failed || session.segments().isEmpty()) {
      return false;
    }
    for (Segment segment : session.segments()) {
      if (!stopped.contains(segment.id())) {
        return false;
      }
    }
    return session.transport() == Transport.WSS || reason == EndReason.STOPPED;
  }

  private void open(CallSession session) {
    if (folder != null || failed || finished) {
      return;
    }
    try {
      folder = createFolder(session);
      if (session.transport() == Transport.WSS) {
        AudioFormat format = session.segments().isEmpty() ? AudioFormat.MULAW_8K : session.segments().get(0).format();
        tracks = new SlotTracks(recorder, folder, format.sampleRate(), format.samplesPerFrame());
      } else {
        tracks = new MixTracks(recorder, folder);
      }
      for (Segment segment : session.segments()) {
        tracks.segmentStart(segment);
      }
    } catch (IOException e) {
      fail(session, e);
      return;
    }
    saveCallJson(session, null);
    if (failed) {
      return;
    }
    LOG.debug("call {} recording to {}", LogSafe.id(session.callId()), folder);
    started = true;
    try {
      recorder.events().started(session, folder);
    } catch (RuntimeException e) {
      LOG.warn("CallRecorder.Events.started threw for call {}", LogSafe.id(session.callId()), e);
    }
  }

  private Path createFolder(CallSession session) throws IOException {
    Path root = recorder.rootDirectory();
    Files.createDirectories(root);
    String base = CallRecorder.safeName(session.callId()) + "-" + CallRecorder.safeName(session.sessionId());
    for (int attempt = 1; attempt <= MAX_FOLDER_ATTEMPTS; attempt++) {
      Path candidate = root.resolve(attempt == 1 ? base : base + "-" + attempt).normalize();
      if (!root.equals(candidate.getParent())) {
        throw new IOException("call folder " + candidate + " is not inside " + root);
      }
      try {
        return Files.createDirectory(candidate);
      } catch (FileAlreadyExistsException e) {
        // A retried or repeated call: try the next suffix, never reuse a folder.
      }
    }
    throw new IOException("no free folder name for " + base + " after " + MAX_FOLDER_ATTEMPTS + " attempts");
  }

  private void fail(CallSession session, IOException e) {
    failed = true;
    error = e.getMessage() == null ? e.toString() : e.getMessage();
    LOG.error("recording of call {} failed, no more audio is written for it: {}", LogSafe.id(session.callId()), e.toString());
    try {
      closeFiles();
    } catch (IOException closing) {
      LOG.debug("call {}: closing files after failure: {}", LogSafe.id(session.callId()), closing.toString());
    }
    if (folder != null) {
      saveCallJson(session, null);
    }
    try {
      recorder.events().failed(session, folder, e);
    } catch (RuntimeException callback) {
      LOG.warn("CallRecorder.Events.failed threw for call {}", LogSafe.id(session.callId()), callback);
    }
  }

  private void closeFiles() throws IOException {
    Tracks open = tracks;
    tracks = null;
    if (open != null) {
      open.close();
    }
  }

  private void saveCallJson(CallSession session, EndReason reason) {
    Map<String, Object> wire = session.wireDetails();
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("callId", session.callId());
    json.put("sessionId", session.sessionId());
    json.put("transport", session.transport().label());
    if (session.transport() == Transport.WSS) {
      json.put("query", masked(session.info().parameters()));
      json.put("start", masked(wire.get("start")));
      Object stops = wire.get("stops");
      json.put("stops", stops == null ? List.of() : masked(stops));
    } else {
      json.put("account", masked(wire.get("account")));
      json.put("dialog", masked(wire.get("dialog")));
      List<Object> segments = new ArrayList<>();
      for (Segment segment : session.segments()) {
        segments.add(segmentJson(session, segment));
      }
      json.put("segments", segments);
    }
    json.put("complete", complete(session, reason));
    json.put("endReason", reason == null ? null : reason.label());
    Map<String, Object> channels = new LinkedHashMap<>();
    for (AudioChannel channel : AudioChannel.values()) {
      channels.put(channel.label(), counters(session.stats(channel), new LinkedHashMap<>()));
    }
    json.put("channels", channels);
    if (error != null) {
      json.put("error", error);
    }
    try {
      writeJsonAtomically(recorder.mapper(), folder, json);
    } catch (IOException e) {
      LOG.error("cannot write call.json of call {}: {}", LogSafe.id(session.callId()), e.toString());
      if (!failed) {
        fail(session, e);
      }
    }
  }

  private Map<String, Object> segmentJson(CallSession session, Segment segment) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("id", segment.id());
    Map<String, Object> participant = new LinkedHashMap<>();
    participant.put("id", segment.participant().id());
    participant.put("type", segment.participant().type().name());
    participant.put("name", segment.participant().name());
    json.put("participant", participant);
    Map<String, Object> format = new LinkedHashMap<>();
    format.put("codec", segment.format().encoding().codec());
    format.put("rate", segment.format().sampleRate());
    format.put("ptime", segment.format().ptimeMillis());
    json.put("format", format);
    counters(session.stats(segment), json);
    List<Object> info = new ArrayList<>();
    for (SegmentInfo event : infos.getOrDefault(segment.id(), List.of())) {
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("event", event.event());
      one.put("data", event.data());
      info.add(one);
    }
    json.put("info", info);
    return json;
  }

  private static Map<String, Object> counters(ChannelStats stats, Map<String, Object> into) {
    into.put("frames", stats.frames());
    into.put("gaps", stats.gaps());
    into.put("duplicates", stats.duplicates());
    into.put("late", stats.late());
    into.put("reordered", stats.reordered());
    return into;
  }

  static void writeJsonAtomically(ObjectMapper mapper, Path folder, Object json) throws IOException {
    Path temp = folder.resolve(CALL_JSON_TEMP);
    try (OutputStream out = Files.newOutputStream(temp)) {
      mapper.writerWithDefaultPrettyPrinter().writeValue(out, json);
    }
    try {
      Files.move(temp, folder.resolve(CALL_JSON), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temp, folder.resolve(CALL_JSON), StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** A copy with the values of secret-named keys ({@link Secrets}) replaced by {@code "***"}, recursively. */
  static Object masked(Object value) {
    return Secrets.masked(value);
  }

  /** How a call's audio becomes files; one per recording, used on the call's thread only. */
  interface Tracks {
    void segmentStart(Segment segment) throws IOException;

    void frame(CallSession session, AudioFrame frame) throws IOException;

    void gap(Gap gap) throws IOException;

    /** Pads every file to the call's length. */
    void finish() throws IOException;

    void close() throws IOException;
  }
}
