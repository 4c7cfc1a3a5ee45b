package dev.callstream.core;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.callstream.core.internal.LogSafe;
import dev.callstream.core.internal.StereoAssembler;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One call's recording: the listener a {@link CallRecorder} creates per call. */
final class CallRecording implements CallStreamListener {

  static final String CALL_JSON = "call.json";
  static final String CALL_JSON_TEMP = "call.json.tmp";

  private static final Logger LOG = LoggerFactory.getLogger(CallRecording.class);
  private static final int MAX_FOLDER_ATTEMPTS = 10_000;

  private final CallRecorder recorder;
  private final WavSink[] mono = new WavSink[2];
  private final long[] monoNext = new long[2];
  private WavSink stereo;
  private StereoAssembler assembler;
  private Path folder;
  private String error;
  private boolean failed;
  private boolean finished;
  private int slotSamples;
  private byte[] slot;
  private byte[] decoded = new byte[0];
  private byte[] stereoSlot;
  private boolean warnedFrameSize;
  private boolean started;

  CallRecording(CallRecorder recorder) {
    this.recorder = recorder;
  }

  @Override
  public void onStart(CallSession session, Start start) {
    boolean existed = folder != null;
    open(session);
    if (existed) {
      saveCallJson(session, null);
    }
  }

  @Override
  public void onAudio(CallSession session, AudioFrame frame) {
    open(session);
    if (failed || finished) {
      return;
    }
    int side = frame.channel().stereoIndex();
    long position = frame.position();
    if (position < monoNext[side]) {
      return;
    }
    try {
      silence(side, monoNext[side], position - monoNext[side]);
      decodeIntoSlot(session, frame);
      if (mono[side] != null) {
        mono[side].write(slot, 0, slot.length);
      }
      monoNext[side] = position + 1;
      if (assembler != null) {
        assembler.put(side, position, slot, 0);
      }
    } catch (IOException e) {
      fail(session, e);
    }
  }

  @Override
  public void onGap(CallSession session, AudioChannel channel, long fromPosition, int frameCount) {
    open(session);
    if (failed || finished || frameCount <= 0) {
      return;
    }
    int side = channel.stereoIndex();
    long end = fromPosition + frameCount;
    if (end <= monoNext[side]) {
      return;
    }
    try {
      silence(side, monoNext[side], end - monoNext[side]);
    } catch (IOException e) {
      fail(session, e);
    }
  }

  @Override
  public void onStop(CallSession session, Stop stop) {
    if (folder != null && !finished) {
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
        // Every file lasts as long as the longer side.
        long end = Math.max(monoNext[0], monoNext[1]);
        for (int side = 0; side < 2; side++) {
          silence(side, monoNext[side], end - monoNext[side]);
        }
        if (assembler != null) {
          assembler.finish();
        }
        closeFiles();
      } catch (IOException e) {
        fail(session, e);
      }
    }
    finished = true;
    saveCallJson(session, reason);
    boolean complete = !failed && session.stops().size() >= 2;
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

  private void open(CallSession session) {
    if (folder != null || failed || finished) {
      return;
    }
    try {
      folder = createFolder(session);
      int sampleRate = session.format().sampleRate();
      slotSamples = Math.max(1, sampleRate / 50);
      slot = new byte[slotSamples * 2];
      WavSink.Factory files = recorder.sinkFactory();
      for (AudioChannel channel : AudioChannel.values()) {
        CallRecorder.Track track = channel == AudioChannel.AGENT ? CallRecorder.Track.AGENT : CallRecorder.Track.CONFERENCE;
        if (recorder.tracks().contains(track)) {
          mono[channel.stereoIndex()] = files.open(folder.resolve(track.fileName()), sampleRate, 1);
        }
      }
      if (recorder.tracks().contains(CallRecorder.Track.STEREO)) {
        stereo = files.open(folder.resolve(CallRecorder.Track.STEREO.fileName()), sampleRate, 2);
        stereoSlot = new byte[slotSamples * 4];
        assembler = new StereoAssembler(slotSamples, recorder.stereoWindowSlots(), new StereoFile());
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

  private void decodeIntoSlot(CallSession session, AudioFrame frame) {
    int pcmBytes = frame.sampleCount() * 2;
    if (pcmBytes == slot.length) {
      frame.decodePcm16le(slot, 0);
      return;
    }
    if (!warnedFrameSize) {
      warnedFrameSize = true;
      LOG.warn("call {}: frame of {} samples where {} (20 ms) were expected; fitted to 20 ms",
          LogSafe.id(session.callId()), frame.sampleCount(), slotSamples);
    }
    if (decoded.length < pcmBytes) {
      decoded = new byte[pcmBytes];
    }
    frame.decodePcm16le(decoded, 0);
    int copied = Math.min(pcmBytes, slot.length);
    System.arraycopy(decoded, 0, slot, 0, copied);
    Arrays.fill(slot, copied, slot.length, (byte) 0);
  }

  private void silence(int side, long from, long count) throws IOException {
    if (count <= 0) {
      return;
    }
    if (mono[side] != null) {
      mono[side].writeSilence(count * slotSamples);
    }
    monoNext[side] = from + count;
    if (assembler != null) {
      assembler.silence(side, from, count);
    }
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
    IOException first = null;
    for (WavSink sink : new WavSink[] {mono[0], mono[1], stereo}) {
      if (sink != null) {
        try {
          sink.close();
        } catch (IOException e) {
          first = first == null ? e : first;
        }
      }
    }
    mono[0] = null;
    mono[1] = null;
    stereo = null;
    assembler = null;
    if (first != null) {
      throw first;
    }
  }

  private void saveCallJson(CallSession session, EndReason reason) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("callId", session.callId());
    json.put("sessionId", session.sessionId());
    json.put("query", masked(session.info().query()));
    Start start = session.start();
    json.put("start", start == null ? null : masked(start.metadata()));
    List<Object> stops = new ArrayList<>();
    for (Stop stop : session.stops()) {
      stops.add(masked(stop.metadata()));
    }
    json.put("stops", stops);
    json.put("complete", reason != null && !failed && session.stops().size() >= 2);
    json.put("endReason", reason == null ? null : reason.label());
    Map<String, Object> channels = new LinkedHashMap<>();
    for (AudioChannel channel : AudioChannel.values()) {
      ChannelStats stats = session.stats(channel);
      Map<String, Object> counters = new LinkedHashMap<>();
      counters.put("frames", stats.frames());
      counters.put("gaps", stats.gaps());
      counters.put("duplicates", stats.duplicates());
      counters.put("late", stats.late());
      counters.put("reordered", stats.reordered());
      channels.put(channel.label(), counters);
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

  /** Writes stereo slots to stereo.wav and patches late channel data in place. */
  private final class StereoFile implements StereoAssembler.Sink {
    @Override
    public void writeSlot(byte[] interleaved, int off, int len) throws IOException {
      stereo.write(interleaved, off, len);
    }

    @Override
    public void patchSlot(long slotIndex, int stereoIndex, byte[] samples, int off, int len) throws IOException {
      long at = slotIndex * stereoSlot.length;
      stereo.readAt(at, stereoSlot, 0, stereoSlot.length);
      for (int i = 0; i < len; i += 2) {
        stereoSlot[2 * i + 2 * stereoIndex] = samples[off + i];
        stereoSlot[2 * i + 2 * stereoIndex + 1] = samples[off + i + 1];
      }
      stereo.writeAt(at, stereoSlot, 0, stereoSlot.length);
    }
  }
}
