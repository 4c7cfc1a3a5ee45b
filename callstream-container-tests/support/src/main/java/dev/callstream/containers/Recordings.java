package dev.callstream.containers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.callstream.core.CallSession;
import dev.callstream.core.EndReason;
import dev.callstream.testsupport.G711Reference;
import dev.callstream.core.recording.CallRecorder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link CallRecorder} whose finished folders are known by call id, and the comparison of a
 * recording with the audio sent: every sample, against the SoX reference decode.
 */
public final class Recordings {
  public static final int FRAME_SAMPLES = 160;

  private final Map<String, Path> folders = new ConcurrentHashMap<>();
  private final CallRecorder recorder;

  public Recordings(Path directory) {
    recorder = CallRecorder.builder(directory).events(new CallRecorder.Events() {
      @Override
      public void finished(CallSession session, Path folder, EndReason reason, boolean complete) {
        folders.put(session.callId(), folder);
      }
    }).build();
  }

  public CallRecorder recorder() {
    return recorder;
  }

  /** The finished recording of a call, or null. */
  public Path folder(String callId) {
    return folders.get(callId);
  }

  public int finished() {
    return folders.size();
  }

  /**
   * The call's {@code agent.wav} and {@code conference.wav} hold, slot by slot, the reference decode
   * of the frame sent for that slot (frame p is sequence p + 1) and digital silence where a frame
   * was never sent ({@code droppedAgent}, {@code droppedConference}: 0-based frame indexes); the
   * files hold whole frames, at least up to the last frame sent on either side and at most the frames
   * planned; {@code stereo.wav} is their interleaving.
   */
  public void assertBitExact(String callId, byte[] agent, Set<Integer> droppedAgent, byte[] conference,
      Set<Integer> droppedConference) throws IOException {
    Path folder = folder(callId);
    assertThat(folder).as("recording of call %s", callId).isNotNull();
    short[] agentWav = samples(folder.resolve("agent.wav"), 1);
    short[] conferenceWav = samples(folder.resolve("conference.wav"), 1);
    short[] stereoWav = samples(folder.resolve("stereo.wav"), 2);
    assertThat(agentWav.length % FRAME_SAMPLES).as("%s: whole frames", callId).isZero();
    assertThat(conferenceWav.length).as("%s: both sides as long", callId).isEqualTo(agentWav.length);
    assertThat(stereoWav.length).as("%s: stereo length", callId).isEqualTo(2 * agentWav.length);
    int planned = agent.length / FRAME_SAMPLES;
    int slots = agentWav.length / FRAME_SAMPLES;
    assertThat(slots).as("%s: slots recorded", callId).isBetween(lastSent(planned, droppedAgent, droppedConference), planned);
    compare(callId + "/agent.wav", agentWav, expected(agent, droppedAgent, slots));
    compare(callId + "/conference.wav", conferenceWav, expected(conference, droppedConference, slots));
    for (int i = 0; i < agentWav.length; i++) {
      if (stereoWav[2 * i] != agentWav[i] || stereoWav[2 * i + 1] != conferenceWav[i]) {
        fail("%s/stereo.wav: sample pair %d is not the mono files' interleaving", callId, i);
      }
    }
  }

  /**
   * For a call cut short: each side's file is the first frames sent, bit-exact, then digital silence
   * (the other side may have got further), and the files hold at most {@code maxFrames} slots.
   *
   * @return the slots recorded
   */
  public int assertBitExactPrefix(String callId, byte[] agent, byte[] conference, long maxFrames) throws IOException {
    Path folder = folder(callId);
    assertThat(folder).as("recording of call %s", callId).isNotNull();
    short[] agentWav = samples(folder.resolve("agent.wav"), 1);
    short[] conferenceWav = samples(folder.resolve("conference.wav"), 1);
    assertThat(agentWav.length % FRAME_SAMPLES).as("%s: whole frames", callId).isZero();
    assertThat(conferenceWav.length).as("%s: both sides as long", callId).isEqualTo(agentWav.length);
    int slots = agentWav.length / FRAME_SAMPLES;
    assertThat((long) slots).as("%s: slots", callId).isPositive().isLessThanOrEqualTo(maxFrames);
    assertPrefix(callId + "/agent.wav", agentWav, G711Reference.decodeMulaw(agent));
    assertPrefix(callId + "/conference.wav", conferenceWav, G711Reference.decodeMulaw(conference));
    return slots;
  }

  private static void assertPrefix(String what, short[] actual, short[] sent) {
    int slots = actual.length / FRAME_SAMPLES;
    int p = 0;
    while (p < slots && Arrays.equals(actual, p * FRAME_SAMPLES, (p + 1) * FRAME_SAMPLES,
        sent, p * FRAME_SAMPLES, (p + 1) * FRAME_SAMPLES)) {
      p++;
    }
    for (int i = p * FRAME_SAMPLES; i < actual.length; i++) {
      if (actual[i] != 0) {
        fail("%s: frame %d is neither the frame sent nor trailing silence", what, i / FRAME_SAMPLES);
      }
    }
  }

  private static int lastSent(int planned, Set<Integer> droppedAgent, Set<Integer> droppedConference) {
    for (int p = planned - 1; p >= 0; p--) {
      if (!droppedAgent.contains(p) || !droppedConference.contains(p)) {
        return p + 1;
      }
    }
    return 0;
  }

  private static short[] expected(byte[] mulaw, Set<Integer> dropped, int slots) {
    short[] decoded = G711Reference.decodeMulaw(mulaw);
    short[] pcm = new short[slots * FRAME_SAMPLES];
    for (int p = 0; p < slots; p++) {
      if (!dropped.contains(p) && (p + 1) * FRAME_SAMPLES <= decoded.length) {
        System.arraycopy(decoded, p * FRAME_SAMPLES, pcm, p * FRAME_SAMPLES, FRAME_SAMPLES);
      }
    }
    return pcm;
  }

  private static void compare(String what, short[] actual, short[] expected) {
    assertThat(actual.length).as("%s: samples", what).isEqualTo(expected.length);
    for (int i = 0; i < expected.length; i++) {
      if (actual[i] != expected[i]) {
        fail("%s: sample %d (frame %d) is %d, expected %d", what, i, i / FRAME_SAMPLES, actual[i], expected[i]);
      }
    }
  }

  /** The 16-bit samples of a PCM WAV file with {@code channels} channels at 8 kHz. */
  static short[] samples(Path wav, int channels) throws IOException {
    ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(wav)).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(bytes.getInt(0)).as("%s: RIFF", wav).isEqualTo(0x46464952);
    assertThat(bytes.getInt(8)).as("%s: WAVE", wav).isEqualTo(0x45564157);
    int at = 12;
    while (at + 8 <= bytes.limit()) {
      int id = bytes.getInt(at);
      int size = bytes.getInt(at + 4);
      if (id == 0x20746d66) {   // "fmt "
        assertThat(bytes.getShort(at + 8)).as("%s: PCM", wav).isEqualTo((short) 1);
        assertThat(bytes.getShort(at + 10)).as("%s: channels", wav).isEqualTo((short) channels);
        assertThat(bytes.getInt(at + 12)).as("%s: rate", wav).isEqualTo(8000);
        assertThat(bytes.getShort(at + 22)).as("%s: bits", wav).isEqualTo((short) 16);
      } else if (id == 0x61746164) {   // "data"
        short[] samples = new short[size / 2];
        bytes.position(at + 8);
        bytes.asShortBuffer().get(samples);
        return samples;
      }
      at += 8 + size + (size & 1);
    }
    throw new AssertionError(wav + ": no data chunk");
  }
}
