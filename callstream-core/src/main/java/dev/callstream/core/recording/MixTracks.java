package dev.callstream.core.recording;

import dev.callstream.core.AudioFrame;
import dev.callstream.core.CallSession;
import dev.callstream.core.Gap;
import dev.callstream.core.Segment;
import dev.callstream.core.internal.LogSafe;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The layout for calls of any number of segments (gRPC): every frame is placed on the CALL
 * timeline at {@code segment.startMillis + position * ptime} and added into {@code agent.wav} or
 * {@code conference.wav} (its side), {@code stereo.wav} (left agent, right conference) and its own
 * {@code segment-<id>.wav}. Gaps and the time before a segment joined are silence; every file is
 * padded to the call's end. Frames of any ptime; a frame longer than its slot is cut to it.
 */
final class MixTracks implements CallRecording.Tracks {
  private static final Logger LOG = LoggerFactory.getLogger(MixTracks.class);

  private final CallRecorder recorder;
  private final Path folder;
  /** The call's rate: its first segment's; 0 until the files are opened. */
  private int sampleRate;
  private int windowFrames;
  private final MixFile[] sides = new MixFile[2];
  private MixFile stereo;
  private final Map<String, MixFile> segmentFiles = new HashMap<>();
  private final List<MixFile> all = new ArrayList<>();
  private final Map<String, Boolean> warned = new HashMap<>();
  /** The segments counted as sources of their side's file. */
  private final java.util.Set<String> sources = new java.util.HashSet<>();
  private byte[] pcm = new byte[0];
  /** The call's length so far in sample frames. */
  private long end;

  MixTracks(CallRecorder recorder, Path folder) {
    this.recorder = recorder;
    this.folder = folder;
  }

  /** Opens the side and stereo files at the first segment's rate (8000 Hz for a call without one). */
  private void open(int rate) throws IOException {
    if (sampleRate != 0) {
      return;
    }
    sampleRate = rate;
    // at least a second, so a 100 ms chunk and a segment a little behind stay in memory
    windowFrames = Math.max(sampleRate, sampleRate * recorder.stereoWindowSlots() / 50);
    WavSink.Factory files = recorder.sinkFactory();
    if (recorder.tracks().contains(CallRecorder.Track.AGENT)) {
      sides[0] = track(files.open(folder.resolve(CallRecorder.Track.AGENT.fileName()), sampleRate, 1), 1);
    }
    if (recorder.tracks().contains(CallRecorder.Track.CONFERENCE)) {
      sides[1] = track(files.open(folder.resolve(CallRecorder.Track.CONFERENCE.fileName()), sampleRate, 1), 1);
    }
    stereo = recorder.tracks().contains(CallRecorder.Track.STEREO)
        ? track(files.open(folder.resolve(CallRecorder.Track.STEREO.fileName()), sampleRate, 2), 2)
        : null;
  }

  private MixFile track(WavSink sink, int channels) {
    MixFile file = new MixFile(sink, channels, windowFrames);
    all.add(file);
    return file;
  }

  @Override
  public void segmentStart(Segment segment) throws IOException {
    open(segment.format().sampleRate());
    if (!sources.add(segment.id())) {
      return;   // told twice (the recording opened at this segment's start)
    }
    MixFile side = sides[segment.channel().stereoIndex()];
    if (side != null) {
      side.addSource();
    }
    if (stereo != null) {
      stereo.addSource(segment.channel().stereoIndex());
    }
    if (!recorder.tracks().contains(CallRecorder.Track.SEGMENTS)) {
      return;
    }
    String name = "segment-" + CallRecorder.safeName(segment.id()) + ".wav";
    Path path = folder.resolve(name);
    for (int n = 2; java.nio.file.Files.exists(path); n++) {
      // two ids that reduce to the same name: never overwrite
      path = folder.resolve("segment-" + CallRecorder.safeName(segment.id()) + "-" + n + ".wav");
    }
    MixFile own = track(recorder.sinkFactory().open(path, sampleRate, 1), 1);
    own.addSource();
    segmentFiles.put(segment.id(), own);
  }

  @Override
  public void frame(CallSession session, AudioFrame frame) throws IOException {
    Segment segment = frame.segment();
    open(segment.format().sampleRate());
    long at = slotStart(segment, frame.position());
    int slot = slotSamples(segment);
    extend(at + slot);
    if (!frame.decodable() || segment.format().sampleRate() != sampleRate) {
      if (warned.put(segment.id(), Boolean.TRUE) == null) {
        LOG.warn("call {}: segment {} is {} at {} Hz; recorded as silence", LogSafe.id(session.callId()),
            LogSafe.id(segment.id()), segment.format().encoding().codec(), segment.format().sampleRate());
      }
      return;
    }
    int samples = Math.min(frame.sampleCount(), slot);
    int bytes = frame.sampleCount() * 2;
    if (pcm.length < bytes) {
      pcm = new byte[bytes];
    }
    frame.decodePcm16le(pcm, 0);
    int side = segment.channel().stereoIndex();
    if (sides[side] != null) {
      sides[side].add(at, 0, pcm, 0, samples);
    }
    if (stereo != null) {
      stereo.add(at, side, pcm, 0, samples);
    }
    MixFile own = segmentFiles.get(segment.id());
    if (own != null) {
      own.add(at, 0, pcm, 0, samples);
    }
  }

  @Override
  public void gap(Gap gap) throws IOException {
    open(gap.segment().format().sampleRate());
    extend(slotStart(gap.segment(), gap.fromPosition() + gap.frameCount()));
  }

  @Override
  public void finish() throws IOException {
    open(8000);
    for (MixFile file : all) {
      file.extendTo(end);
      file.finish();
    }
  }

  @Override
  public void close() throws IOException {
    IOException first = null;
    for (MixFile file : all) {
      try {
        file.close();
      } catch (IOException e) {
        first = first == null ? e : first;
      }
    }
    all.clear();
    if (first != null) {
      throw first;
    }
  }

  private void extend(long frames) {
    if (frames > end) {
      end = frames;
    }
  }

  /** Where a segment's slot starts on the call timeline, in sample frames of the call's rate. */
  private long slotStart(Segment segment, long position) {
    return segment.startMillis() * sampleRate / 1000 + position * slotSamples(segment);
  }

  private int slotSamples(Segment segment) {
    return Math.max(1, (int) ((long) sampleRate * segment.format().ptimeMillis() / 1000));
  }
}
