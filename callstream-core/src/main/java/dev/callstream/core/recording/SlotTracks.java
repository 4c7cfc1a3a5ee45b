package dev.callstream.core.recording;

import dev.callstream.core.AudioFrame;
import dev.callstream.core.CallSession;
import dev.callstream.core.Gap;
import dev.callstream.core.Segment;
import dev.callstream.core.internal.LogSafe;
import dev.callstream.core.internal.StereoAssembler;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WebSocket layout: one segment per side, every frame one fixed slot at its position on the
 * side's timeline (shorter frames padded with silence, longer ones cut), the stereo file paired slot
 * by slot through a {@link StereoAssembler} (a side running ahead more than the window is written
 * with silence for the other and patched in place later).
 */
final class SlotTracks implements CallRecording.Tracks {
  private static final Logger LOG = LoggerFactory.getLogger(SlotTracks.class);

  private final WavSink[] mono = new WavSink[2];
  private final long[] monoNext = new long[2];
  private final int slotSamples;
  private final byte[] slot;
  private final byte[] stereoSlot;
  private WavSink stereo;
  private StereoAssembler assembler;
  private byte[] decoded = new byte[0];
  private boolean warnedFrameSize;

  SlotTracks(CallRecorder recorder, Path folder, int sampleRate, int slotSamples) throws IOException {
    this.slotSamples = slotSamples;
    this.slot = new byte[slotSamples * 2];
    this.stereoSlot = new byte[slotSamples * 4];
    WavSink.Factory files = recorder.sinkFactory();
    if (recorder.tracks().contains(CallRecorder.Track.AGENT)) {
      mono[0] = files.open(folder.resolve(CallRecorder.Track.AGENT.fileName()), sampleRate, 1);
    }
    if (recorder.tracks().contains(CallRecorder.Track.CONFERENCE)) {
      mono[1] = files.open(folder.resolve(CallRecorder.Track.CONFERENCE.fileName()), sampleRate, 1);
    }
    if (recorder.tracks().contains(CallRecorder.Track.STEREO)) {
      stereo = files.open(folder.resolve(CallRecorder.Track.STEREO.fileName()), sampleRate, 2);
      assembler = new StereoAssembler(slotSamples, recorder.stereoWindowSlots(), new StereoFile());
    }
  }

  @Override
  public void segmentStart(Segment segment) {
    // the two sides are fixed: nothing to open per segment
  }

  @Override
  public void frame(CallSession session, AudioFrame frame) throws IOException {
    int side = frame.channel().stereoIndex();
    long position = frame.position();
    if (position < monoNext[side]) {
      return;
    }
    silence(side, monoNext[side], position - monoNext[side]);
    decodeIntoSlot(session, frame);
    if (mono[side] != null) {
      mono[side].write(slot, 0, slot.length);
    }
    monoNext[side] = position + 1;
    if (assembler != null) {
      assembler.put(side, position, slot, 0);
    }
  }

  @Override
  public void gap(Gap gap) throws IOException {
    int side = gap.channel().stereoIndex();
    long end = gap.fromPosition() + gap.frameCount();
    if (end <= monoNext[side]) {
      return;
    }
    silence(side, monoNext[side], end - monoNext[side]);
  }

  @Override
  public void finish() throws IOException {
    // Every file lasts as long as the longer side.
    long end = Math.max(monoNext[0], monoNext[1]);
    for (int side = 0; side < 2; side++) {
      silence(side, monoNext[side], end - monoNext[side]);
    }
    if (assembler != null) {
      assembler.finish();
    }
  }

  @Override
  public void close() throws IOException {
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

  private void decodeIntoSlot(CallSession session, AudioFrame frame) {
    if (!frame.decodable()) {
      Arrays.fill(slot, (byte) 0);
      return;
    }
    int pcmBytes = frame.sampleCount() * 2;
    if (pcmBytes == slot.length) {
      frame.decodePcm16le(slot, 0);
      return;
    }
    if (!warnedFrameSize) {
      warnedFrameSize = true;
      LOG.warn("call {}: frame of {} samples where {} were expected; fitted to the slot",
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
