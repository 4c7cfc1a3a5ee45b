package dev.callstream.core.recording;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.callstream.core.CallInfo;
import dev.callstream.core.CallMetadata;
import dev.callstream.core.EndReason;
import dev.callstream.testsupport.G711Reference;
import dev.callstream.core.Participant;
import dev.callstream.core.ParticipantType;
import dev.callstream.core.Segment;
import dev.callstream.core.SegmentInfo;
import dev.callstream.core.Transport;
import dev.callstream.core.WavFile;
import dev.callstream.core.audio.AudioFormat;
import dev.callstream.core.internal.CallDriver;
import dev.callstream.core.pcm.PcmStream;
import dev.callstream.core.pcm.PcmStreamListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A RingCX-shaped call driven straight through the {@link CallDriver}, as the gRPC transport does:
 * a contact (PCMU) and an agent (PCMA) in 100 ms chunks from seq 1, a bot (PCMU) joining later,
 * hold info, a lost chunk, a duplicate and a swap. Every file is compared, sample by sample, with
 * the SoX decode tables.
 */
class GrpcShapedRecordingTest {
  static final int CHUNK = 800; // 100 ms at 8 kHz
  static final AudioFormat PCMU = new AudioFormat(AudioFormat.Encoding.MULAW, 8000, 100);
  static final AudioFormat PCMA = new AudioFormat(AudioFormat.Encoding.ALAW, 8000, 100);
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  final Random random = new Random(2024);
  final byte[][] contact = chunks(10);
  final byte[][] agent = chunks(10);
  final byte[][] bot = chunks(5);

  byte[][] chunks(int count) {
    byte[][] chunks = new byte[count][CHUNK];
    for (byte[] chunk : chunks) {
      random.nextBytes(chunk);
    }
    return chunks;
  }

  /** Plays the call into {@code driver}; returns the bot's segment. */
  Segment play(CallDriver driver) {
    Map<String, Object> wire = new LinkedHashMap<>();
    wire.put("account", Map.of("id", "acc-1", "subAccountId", "sub-2", "token", "must-not-appear"));
    wire.put("dialog", Map.of("id", "dialog-7", "type", "INBOUND", "ani", "+15551230000"));
    driver.start(new CallMetadata("dialog-7", "sess-3", "acc-1", "sub-2", null, null, null, null, "INBOUND",
        "+15551230000", "+15557770000", "en-US", Map.of()), wire);
    driver.segmentStart("seg-c", new Participant("p1", ParticipantType.CONTACT, "Carol"), PCMU, 1);
    driver.segmentStart("seg-a", new Participant("p2", ParticipantType.AGENT, "Alice"), PCMA, 1);
    for (int seq = 1; seq <= 6; seq++) {
      if (seq != 4) {                              // the contact's 4th chunk is lost
        driver.media("seg-c", seq, contact[seq - 1]);
      }
      driver.media("seg-a", seq, agent[seq - 1]);
    }
    driver.media("seg-c", 6, contact[5]);          // a duplicate
    // 600 ms into the call a bot joins the conference side
    Segment botSegment = driver.segmentStart("seg-b", new Participant("p3", ParticipantType.BOT, null), PCMU, 1);
    driver.segmentInfo("seg-a", new SegmentInfo("hold", null));
    for (int seq = 7; seq <= 10; seq++) {
      driver.media("seg-c", seq, contact[seq - 1]);
      int agentSeq = seq == 7 ? 8 : seq == 8 ? 7 : seq;   // 7 and 8 swapped
      driver.media("seg-a", agentSeq, agent[agentSeq - 1]);
      driver.media("seg-b", seq - 6, bot[seq - 7]);
    }
    driver.segmentInfo("seg-a", new SegmentInfo("unhold", "by agent"));
    driver.media("seg-b", 5, bot[4]);
    driver.segmentStop("seg-c");
    driver.segmentStop("seg-a");
    driver.segmentStop("seg-b");
    driver.end(EndReason.STOPPED, null);
    return botSegment;
  }

  /** The call is 1100 ms long: the bot's last chunk ends at 600 + 500 ms. */
  static final int CALL_SAMPLES = 8800;

  short[] expectedContact() {
    short[] pcm = new short[CALL_SAMPLES];
    for (int n = 0; n < 10; n++) {
      if (n != 3) {
        System.arraycopy(G711Reference.decodeMulaw(contact[n]), 0, pcm, n * CHUNK, CHUNK);
      }
    }
    return pcm;
  }

  short[] expectedAgent() {
    short[] table = G711Reference.alaw();
    short[] pcm = new short[CALL_SAMPLES];
    for (int n = 0; n < 10; n++) {
      for (int i = 0; i < CHUNK; i++) {
        pcm[n * CHUNK + i] = table[agent[n][i] & 0xff];
      }
    }
    return pcm;
  }

  short[] expectedBot() {
    short[] pcm = new short[CALL_SAMPLES];
    for (int n = 0; n < 5; n++) {
      System.arraycopy(G711Reference.decodeMulaw(bot[n]), 0, pcm, 4800 + n * CHUNK, CHUNK);
    }
    return pcm;
  }

  /** The conference side: contact plus bot, summed and clipped to 16 bits. */
  short[] expectedConference() {
    short[] a = expectedContact();
    short[] b = expectedBot();
    short[] mix = new short[CALL_SAMPLES];
    for (int i = 0; i < CALL_SAMPLES; i++) {
      mix[i] = (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, a[i] + b[i]));
    }
    return mix;
  }

  @Test
  void everyFileIsTheReferenceDecodeOnTheCallTimelineWithTheLaterSegmentStartingLater() throws IOException {
    CallRecorder recorder = CallRecorder.create(dir);
    CallInfo info = CallInfo.of(Transport.GRPC, Map.of("x-request-id", "r1"));
    Segment botSegment = play(new CallDriver(info, recorder.create(info), 5, () -> {}));
    assertThat(botSegment.startMillis()).isEqualTo(600);

    Path folder = dir.resolve("dialog-7-sess-3");
    try (Stream<Path> files = Files.list(folder)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("agent.wav",
          "conference.wav", "stereo.wav", "segment-seg-c.wav", "segment-seg-a.wav", "segment-seg-b.wav", "call.json");
    }
    short[] conference = expectedConference();
    boolean clipped = false;
    for (int i = 4800; i < 8000; i++) {
      clipped |= expectedContact()[i] + expectedBot()[i] > Short.MAX_VALUE
          || expectedContact()[i] + expectedBot()[i] < Short.MIN_VALUE;
    }
    assertThat(clipped).as("the random audio exercises clipping").isTrue();
    assertThat(WavFile.read(folder.resolve("agent.wav")).samples()).isEqualTo(expectedAgent());
    assertThat(WavFile.read(folder.resolve("conference.wav")).samples()).isEqualTo(conference);
    WavFile stereo = WavFile.read(folder.resolve("stereo.wav"));
    assertThat(stereo.channels()).isEqualTo(2);
    assertThat(stereo.channel(0)).isEqualTo(expectedAgent());
    assertThat(stereo.channel(1)).isEqualTo(conference);
    assertThat(WavFile.read(folder.resolve("segment-seg-c.wav")).samples()).isEqualTo(expectedContact());
    assertThat(WavFile.read(folder.resolve("segment-seg-a.wav")).samples()).isEqualTo(expectedAgent());
    short[] botFile = WavFile.read(folder.resolve("segment-seg-b.wav")).samples();
    assertThat(botFile).isEqualTo(expectedBot());
    assertThat(java.util.Arrays.copyOfRange(botFile, 0, 4800)).as("silence before the bot joined").containsOnly((short) 0);
  }

  @Test
  void callJsonNamesTheTransportAccountDialogAndEverySegmentWithItsCountersAndInfo() throws IOException {
    CallRecorder recorder = CallRecorder.create(dir);
    CallInfo info = CallInfo.empty(Transport.GRPC);
    play(new CallDriver(info, recorder.create(info), 5, () -> {}));

    Path callJson = dir.resolve("dialog-7-sess-3/call.json");
    JsonNode json = JSON.readTree(callJson.toFile());
    List<String> names = new java.util.ArrayList<>();
    json.fieldNames().forEachRemaining(names::add);
    assertThat(names).containsExactly("callId", "sessionId", "transport", "account", "dialog", "segments",
        "complete", "endReason", "channels");
    assertThat(json.get("transport").asText()).isEqualTo("grpc");
    assertThat(json.at("/account/id").asText()).isEqualTo("acc-1");
    assertThat(json.at("/account/token").asText()).isEqualTo("***");
    assertThat(Files.readString(callJson)).doesNotContain("must-not-appear");
    assertThat(json.at("/dialog/type").asText()).isEqualTo("INBOUND");
    assertThat(json.get("complete").asBoolean()).isTrue();
    assertThat(json.get("endReason").asText()).isEqualTo("stopped");
    JsonNode segments = json.get("segments");
    assertThat(segments).hasSize(3);
    JsonNode contactJson = segments.get(0);
    assertThat(contactJson.get("id").asText()).isEqualTo("seg-c");
    assertThat(contactJson.at("/participant/type").asText()).isEqualTo("CONTACT");
    assertThat(contactJson.at("/participant/name").asText()).isEqualTo("Carol");
    assertThat(contactJson.at("/format/codec").asText()).isEqualTo("PCMU");
    assertThat(contactJson.at("/format/rate").asInt()).isEqualTo(8000);
    assertThat(contactJson.at("/format/ptime").asInt()).isEqualTo(100);
    assertThat(contactJson.get("frames").asLong()).isEqualTo(9);
    assertThat(contactJson.get("gaps").asLong()).isEqualTo(1);
    assertThat(contactJson.get("duplicates").asLong()).isEqualTo(1);
    JsonNode agentJson = segments.get(1);
    assertThat(agentJson.at("/participant/type").asText()).isEqualTo("AGENT");
    assertThat(agentJson.at("/format/codec").asText()).isEqualTo("PCMA");
    assertThat(agentJson.get("frames").asLong()).isEqualTo(10);
    assertThat(agentJson.get("reordered").asLong()).isEqualTo(1);
    assertThat(agentJson.get("info")).hasSize(2);
    assertThat(agentJson.at("/info/0/event").asText()).isEqualTo("hold");
    assertThat(agentJson.at("/info/0/data").isNull()).isTrue();
    assertThat(agentJson.at("/info/1/data").asText()).isEqualTo("by agent");
    assertThat(segments.get(2).at("/participant/type").asText()).isEqualTo("BOT");
    assertThat(segments.get(2).get("frames").asLong()).isEqualTo(5);
    assertThat(json.at("/channels/conference/frames").asLong()).isEqualTo(14);
    assertThat(json.at("/channels/agent/frames").asLong()).isEqualTo(10);
  }

  @Test
  void aStreamThatEndsWithoutEverySegmentStoppedIsIncomplete() throws IOException {
    CallRecorder recorder = CallRecorder.create(dir);
    CallInfo info = CallInfo.empty(Transport.GRPC);
    CallDriver driver = new CallDriver(info, recorder.create(info), 5, () -> {});
    driver.start(new CallMetadata("d", "s", null, null, null, null, null, null, null, null, null, null, Map.of()),
        Map.of());
    driver.segmentStart("seg-c", new Participant("p1", ParticipantType.CONTACT, null), PCMU, 1);
    driver.media("seg-c", 1, contact[0]);
    driver.end(EndReason.CLOSED, null);
    JsonNode json = JSON.readTree(dir.resolve("d-s/call.json").toFile());
    assertThat(json.get("complete").asBoolean()).isFalse();
    assertThat(json.get("endReason").asText()).isEqualTo("closed");
    assertThat(WavFile.read(dir.resolve("d-s/agent.wav")).samples()).hasSize(CHUNK).containsOnly((short) 0);
  }

  @Test
  void pcmStreamsGiveEachSideMixedAndStereoOnTheCallTimeline() throws IOException {
    PcmStreamListener listener = new PcmStreamListener();
    PcmStream agentStream = listener.open(PcmStream.Layout.AGENT, java.time.Duration.ofSeconds(5));
    PcmStream conferenceStream = listener.open(PcmStream.Layout.CONFERENCE, java.time.Duration.ofSeconds(5));
    PcmStream stereoStream = listener.open(PcmStream.Layout.STEREO, java.time.Duration.ofSeconds(5));
    play(new CallDriver(CallInfo.empty(Transport.GRPC), listener, 5, () -> {}));

    // a side's stream lasts as long as its audio (the agent's last chunk ends at 1000 ms); stereo is padded
    short[] agentPcm = samples(agentStream.readAllBytes());
    assertThat(agentPcm).hasSize(8000);
    assertThat(agentPcm).isEqualTo(java.util.Arrays.copyOf(expectedAgent(), 8000));
    short[] conferencePcm = samples(conferenceStream.readAllBytes());
    assertThat(conferencePcm).hasSize(CALL_SAMPLES);
    assertThat(conferencePcm).isEqualTo(expectedConference());
    short[] stereo = samples(stereoStream.readAllBytes());
    assertThat(stereo).hasSize(2 * CALL_SAMPLES);
    short[] left = new short[CALL_SAMPLES];
    short[] right = new short[CALL_SAMPLES];
    for (int i = 0; i < CALL_SAMPLES; i++) {
      left[i] = stereo[2 * i];
      right[i] = stereo[2 * i + 1];
    }
    assertThat(left).isEqualTo(expectedAgent());
    assertThat(right).isEqualTo(expectedConference());
    assertThat(stereoStream.droppedBytes()).isZero();
  }

  @Test
  void framesOfAnyPtimeLandAtTheirPlaceAndAShortChunkIsPaddedToItsSlot() throws IOException {
    CallRecorder recorder = CallRecorder.create(dir);
    CallInfo info = CallInfo.empty(Transport.GRPC);
    CallDriver driver = new CallDriver(info, recorder.create(info), 5, () -> {});
    driver.start(new CallMetadata("pt", "1", null, null, null, null, null, null, null, null, null, null, Map.of()),
        Map.of());
    AudioFormat pcmu20 = new AudioFormat(AudioFormat.Encoding.MULAW, 8000, 20);
    driver.segmentStart("c", new Participant("c", ParticipantType.CONTACT, null), PCMU, 1);
    driver.segmentStart("a", new Participant("a", ParticipantType.AGENT, null), pcmu20, 1);
    driver.media("c", 1, contact[0]);
    driver.media("c", 2, java.util.Arrays.copyOf(contact[1], 400));   // a 50 ms chunk in a 100 ms slot
    for (int seq = 1; seq <= 5; seq++) {
      driver.media("a", seq, java.util.Arrays.copyOfRange(agent[0], (seq - 1) * 160, seq * 160));
    }
    driver.media("a", 7, java.util.Arrays.copyOfRange(agent[0], 0, 160));  // seq 6 (100..120 ms) is lost
    driver.end(EndReason.CLOSED, null);

    short[] contactPcm = new short[1600];
    System.arraycopy(G711Reference.decodeMulaw(contact[0]), 0, contactPcm, 0, CHUNK);
    System.arraycopy(G711Reference.decodeMulaw(java.util.Arrays.copyOf(contact[1], 400)), 0, contactPcm, CHUNK, 400);
    short[] agentPcm = new short[1600];
    System.arraycopy(G711Reference.decodeMulaw(agent[0]), 0, agentPcm, 0, CHUNK);
    System.arraycopy(G711Reference.decodeMulaw(java.util.Arrays.copyOfRange(agent[0], 0, 160)), 0, agentPcm, 960, 160);
    assertThat(WavFile.read(dir.resolve("pt-1/conference.wav")).samples()).isEqualTo(contactPcm);
    assertThat(WavFile.read(dir.resolve("pt-1/agent.wav")).samples()).isEqualTo(agentPcm);
  }

  @Test
  void aCallOfL16At16kHzIsRecordedAtItsOwnRateBigEndianDecoded() throws IOException {
    CallRecorder recorder = CallRecorder.create(dir);
    CallInfo info = CallInfo.empty(Transport.GRPC);
    CallDriver driver = new CallDriver(info, recorder.create(info), 5, () -> {});
    driver.start(new CallMetadata("wide", "1", null, null, null, null, null, null, null, null, null, null, Map.of()),
        Map.of());
    driver.segmentStart("c", new Participant("c", ParticipantType.CONTACT, null),
        new AudioFormat(AudioFormat.Encoding.L16, 16000, 20), 1);
    short[] expected = new short[320];
    byte[] bigEndian = new byte[640];
    for (int i = 0; i < 320; i++) {
      expected[i] = (short) (i * 97 - 15000);
      bigEndian[2 * i] = (byte) (expected[i] >> 8);
      bigEndian[2 * i + 1] = (byte) expected[i];
    }
    driver.media("c", 1, bigEndian);
    driver.segmentStop("c");
    driver.end(EndReason.STOPPED, null);
    WavFile conferenceFile = WavFile.read(dir.resolve("wide-1/conference.wav"));
    assertThat(conferenceFile.sampleRate()).isEqualTo(16000);
    assertThat(conferenceFile.samples()).isEqualTo(expected);
    assertThat(WavFile.read(dir.resolve("wide-1/agent.wav")).samples()).hasSize(320).containsOnly((short) 0);
  }

  @Test
  void anAgentWhoStartsWhileTheContactsFirstChunksAreHeldStartsAfterThemInEveryFile() throws IOException {
    CallRecorder recorder = CallRecorder.create(dir);
    CallInfo info = CallInfo.empty(Transport.GRPC);
    CallDriver driver = new CallDriver(info, recorder.create(info), 5, () -> {});
    driver.start(new CallMetadata("held", "1", null, null, null, null, null, null, null, null, null, null, Map.of()),
        Map.of());
    // as the gRPC transport does: no first sequence, so the contact's first chunks wait in the window
    driver.segmentStart("c", new Participant("c", ParticipantType.CONTACT, null), PCMU);
    for (int seq = 1; seq <= 3; seq++) {
      driver.media("c", seq, contact[seq - 1]);
    }
    Segment agentSegment = driver.segmentStart("a", new Participant("a", ParticipantType.AGENT, null), PCMA);
    assertThat(agentSegment.startMillis()).isEqualTo(300);
    driver.media("a", 1, agent[0]);
    driver.media("a", 2, agent[1]);
    driver.segmentStop("c");
    driver.segmentStop("a");
    driver.end(EndReason.STOPPED, null);

    short[] contactPcm = new short[5 * CHUNK];
    for (int n = 0; n < 3; n++) {
      System.arraycopy(G711Reference.decodeMulaw(contact[n]), 0, contactPcm, n * CHUNK, CHUNK);
    }
    short[] table = G711Reference.alaw();
    short[] agentPcm = new short[5 * CHUNK];
    for (int n = 0; n < 2; n++) {
      for (int i = 0; i < CHUNK; i++) {
        agentPcm[(3 + n) * CHUNK + i] = table[agent[n][i] & 0xff];
      }
    }
    assertThat(WavFile.read(dir.resolve("held-1/conference.wav")).samples()).isEqualTo(contactPcm);
    assertThat(WavFile.read(dir.resolve("held-1/agent.wav")).samples()).isEqualTo(agentPcm);
    assertThat(WavFile.read(dir.resolve("held-1/segment-a.wav")).samples()).isEqualTo(agentPcm);
    WavFile stereo = WavFile.read(dir.resolve("held-1/stereo.wav"));
    assertThat(stereo.channel(0)).isEqualTo(agentPcm);
    assertThat(stereo.channel(1)).isEqualTo(contactPcm);
  }

  static short[] samples(byte[] pcm) {
    short[] samples = new short[pcm.length / 2];
    for (int i = 0; i < samples.length; i++) {
      samples[i] = (short) ((pcm[2 * i] & 0xff) | (pcm[2 * i + 1] << 8));
    }
    return samples;
  }

  @Test
  void aCrashedGrpcRecordingIsRepairedToFilesOfOneLength() throws IOException {
    CallInfo info = new CallInfo(Transport.GRPC, "torn", "s1", null, null, null, null, null, null, null, null, Map.of());
    CallRecorder recorder = CallRecorder.create(dir);
    CallDriver driver = new CallDriver(info, recorder.create(info), 5, () -> {});
    driver.start(new CallMetadata("torn", "s1", null, null, null, null, null, null, null, null, null, null, Map.of()),
        new LinkedHashMap<>());
    driver.segmentStart("seg-c", new Participant("p1", ParticipantType.CONTACT, null), PCMU, 1);
    driver.segmentStart("seg-a", new Participant("p2", ParticipantType.AGENT, null), PCMU, 1);
    byte[][] contactChunks = chunks(80);
    byte[][] agentChunks = chunks(80);
    for (int seq = 1; seq <= 80; seq++) {
      driver.media("seg-c", seq, contactChunks[seq - 1]);
      driver.media("seg-a", seq, agentChunks[seq - 1]);
    }
    // no end: the process "dies" with every file at its own length
    Path folder = dir.resolve("torn-s1");

    assertThat(CallRecorder.repair(dir)).isEqualTo(1);

    short[] agentSide = WavFile.read(folder.resolve("agent.wav")).samples();
    short[] conferenceSide = WavFile.read(folder.resolve("conference.wav")).samples();
    WavFile stereo = WavFile.read(folder.resolve("stereo.wav"));
    assertThat(agentSide).isNotEmpty();
    assertThat(stereo.channel(0)).containsExactly(agentSide);
    assertThat(stereo.channel(1)).containsExactly(conferenceSide);
    for (String segment : List.of("segment-seg-c.wav", "segment-seg-a.wav")) {
      assertThat(WavFile.read(folder.resolve(segment)).samples()).as(segment).hasSameSizeAs(agentSide);
    }
    JsonNode json = JSON.readTree(folder.resolve("call.json").toFile());
    assertThat(json.get("repaired").asBoolean()).isTrue();
    assertThat(json.get("endReason").asText()).isEqualTo("error");
  }
}
