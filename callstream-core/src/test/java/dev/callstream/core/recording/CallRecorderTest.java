package dev.callstream.core.recording;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.callstream.core.AudioChannel;
import dev.callstream.core.AudioFrame;
import dev.callstream.core.CallInfo;
import dev.callstream.core.CallMetadata;
import dev.callstream.core.CallSession;
import dev.callstream.core.CallStreamListener;
import dev.callstream.core.ChannelStats;
import dev.callstream.core.EndReason;
import dev.callstream.core.FakeCallSession;
import dev.callstream.testsupport.G711Reference;
import dev.callstream.core.Participant;
import dev.callstream.core.ParticipantType;
import dev.callstream.core.Transport;
import dev.callstream.core.WavFile;
import dev.callstream.core.audio.AudioFormat;
import dev.callstream.core.internal.CallDriver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class CallRecorderTest {

  static final AudioFormat PCM_8K = new AudioFormat(AudioFormat.Encoding.PCM16, 8000);
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  final List<String> events = new ArrayList<>();

  CallRecorder.Events recordingEvents() {
    return new CallRecorder.Events() {
      @Override
      public void started(CallSession session, Path folder) {
        events.add("started " + folder.getFileName());
      }

      @Override
      public void finished(CallSession session, Path folder, EndReason reason, boolean complete) {
        events.add("finished " + folder.getFileName() + " " + reason.label() + " " + complete);
      }

      @Override
      public void failed(CallSession session, Path folder, IOException error) {
        events.add("failed " + (folder == null ? null : folder.getFileName()));
      }
    };
  }

  @Test
  void recordsMulawAsTheReferenceG711DecodeInAllThreeFiles() throws IOException {
    CallRecorder recorder = CallRecorder.builder(dir).events(recordingEvents()).build();
    FakeCallSession session = new FakeCallSession("uii-1", "s1");
    CallStreamListener listener = recorder.create(session.info());
    session.start(Map.of("callId", "uii-1"));
    listener.onStart(session);
    Random random = new Random(7);
    byte[] agentCodes = new byte[160 * 25];
    byte[] conferenceCodes = new byte[160 * 25];
    random.nextBytes(agentCodes);
    random.nextBytes(conferenceCodes);
    for (int n = 0; n < 25; n++) {
      listener.onAudio(session, new AudioFrame(FakeCallSession.segment(AudioChannel.AGENT, AudioFormat.MULAW_8K), n, n,
          Arrays.copyOfRange(agentCodes, n * 160, n * 160 + 160)));
      listener.onAudio(session, new AudioFrame(FakeCallSession.segment(AudioChannel.CONFERENCE, AudioFormat.MULAW_8K), n, n,
          Arrays.copyOfRange(conferenceCodes, n * 160, n * 160 + 160)));
    }
    stopTwice(session, listener);
    listener.onEnd(session, EndReason.STOPPED, null);

    Path folder = dir.resolve("uii-1-s1");
    WavFile agent = WavFile.read(folder.resolve("agent.wav"));
    WavFile conference = WavFile.read(folder.resolve("conference.wav"));
    WavFile stereo = WavFile.read(folder.resolve("stereo.wav"));
    for (WavFile mono : List.of(agent, conference)) {
      assertThat(mono.channels()).isEqualTo(1);
      assertThat(mono.sampleRate()).isEqualTo(8000);
      assertThat(mono.bitsPerSample()).isEqualTo(16);
      assertThat(mono.formatTag()).isEqualTo(1);
    }
    assertThat(stereo.channels()).isEqualTo(2);
    assertThat(stereo.sampleRate()).isEqualTo(8000);
    assertThat(agent.samples()).containsExactly(G711Reference.decodeMulaw(agentCodes));
    assertThat(conference.samples()).containsExactly(G711Reference.decodeMulaw(conferenceCodes));
    assertThat(stereo.channel(0)).containsExactly(G711Reference.decodeMulaw(agentCodes));
    assertThat(stereo.channel(1)).containsExactly(G711Reference.decodeMulaw(conferenceCodes));
    assertThat(JSON.readTree(folder.resolve("call.json").toFile()).get("complete").asBoolean()).isTrue();
    assertThat(events).containsExactly("started uii-1-s1", "finished uii-1-s1 stopped true");
  }

  @Test
  void gapsAreSilenceAtTheirPlaceInAllThreeFiles() throws IOException {
    FakeCallSession session = pcmSession("gap", "s");
    CallStreamListener listener = CallRecorder.create(dir).create(session.info());
    listener.onAudio(session, frame(AudioChannel.AGENT, 0));
    listener.onAudio(session, frame(AudioChannel.CONFERENCE, 0));
    listener.onAudio(session, frame(AudioChannel.AGENT, 1));
    listener.onGap(session, session.gap(AudioChannel.AGENT, 2, 2));
    listener.onGap(session, session.gap(AudioChannel.CONFERENCE, 1, 1));
    for (int n = 2; n < 5; n++) {
      listener.onAudio(session, frame(AudioChannel.CONFERENCE, n));
    }
    listener.onAudio(session, frame(AudioChannel.AGENT, 4));
    listener.onEnd(session, EndReason.CLOSED, null);

    Recording files = Recording.read(dir.resolve("gap-s"));
    short[] expectedAgent = concat(samples(AudioChannel.AGENT, 0), samples(AudioChannel.AGENT, 1),
        new short[320], samples(AudioChannel.AGENT, 4));
    short[] expectedConference = concat(samples(AudioChannel.CONFERENCE, 0), new short[160],
        samples(AudioChannel.CONFERENCE, 2), samples(AudioChannel.CONFERENCE, 3), samples(AudioChannel.CONFERENCE, 4));
    assertThat(files.agent).containsExactly(expectedAgent);
    assertThat(files.conference).containsExactly(expectedConference);
    assertThat(files.left).containsExactly(expectedAgent);
    assertThat(files.right).containsExactly(expectedConference);
  }

  @Test
  void aSideLaggingBeyondTheWindowIsPatchedInPlaceSoStereoIsTheInterleavingOfTheMonos() throws IOException {
    FakeCallSession session = pcmSession("lag", "s");
    CallStreamListener listener = CallRecorder.builder(dir).stereoWindowSlots(50).build().create(session.info());
    for (int n = 0; n < 120; n++) {
      listener.onAudio(session, frame(AudioChannel.AGENT, n));
    }
    listener.onGap(session, session.gap(AudioChannel.CONFERENCE, 0, 3));
    // The conference catches up while the agent keeps going: agent 120..199, conference 3..129.
    for (int n = 3; n < 130; n++) {
      listener.onAudio(session, frame(AudioChannel.CONFERENCE, n));
      if (n - 3 < 80) {
        listener.onAudio(session, frame(AudioChannel.AGENT, 120 + n - 3));
      }
    }
    listener.onEnd(session, EndReason.CLOSED, null);

    Recording files = Recording.read(dir.resolve("lag-s"));
    assertThat(files.agent).hasSize(200 * 160);
    assertThat(files.conference).hasSize(200 * 160);
    assertThat(Arrays.copyOfRange(files.agent, 199 * 160, 200 * 160)).containsExactly(samples(AudioChannel.AGENT, 199));
    assertThat(files.left).isEqualTo(files.agent);
    assertThat(files.right).isEqualTo(files.conference);
    // The conference slots written while the agent was more than a window ahead hold conference audio.
    assertThat(Arrays.copyOfRange(files.right, 3 * 160, 4 * 160)).containsExactly(samples(AudioChannel.CONFERENCE, 3));
    assertThat(Arrays.copyOfRange(files.right, 0, 3 * 160)).containsOnly((short) 0);
    assertThat(Arrays.copyOfRange(files.right, 130 * 160, 200 * 160)).as("padded").containsOnly((short) 0);
  }

  @Test
  void theShorterSideIsPaddedSoEveryFileLastsAsLongAsTheCall() throws IOException {
    FakeCallSession session = pcmSession("pad", "s");
    CallStreamListener listener = CallRecorder.create(dir).create(session.info());
    for (int n = 0; n < 10; n++) {
      listener.onAudio(session, frame(AudioChannel.AGENT, n));
      if (n < 4) {
        listener.onAudio(session, frame(AudioChannel.CONFERENCE, n));
      }
    }
    listener.onEnd(session, EndReason.SHUTDOWN, null);
    Recording files = Recording.read(dir.resolve("pad-s"));
    assertThat(files.agent).hasSize(1600);
    assertThat(files.conference).hasSize(1600);
    assertThat(Arrays.copyOfRange(files.conference, 640, 1600)).containsOnly((short) 0);
    assertThat(files.right).isEqualTo(files.conference);
    assertThat(files.left).isEqualTo(files.agent);
  }

  @Test
  void callJsonHasTheContractFieldsWithSecretsMasked() throws IOException {
    Map<String, String> query = new LinkedHashMap<>();
    query.put("callId", "c42");
    query.put("sessionId", "7");
    query.put("secret", "hunter2");
    query.put("access_Token", "abc");
    FakeCallSession session = new FakeCallSession("c42", "7", query);
    session.format(PCM_8K);
    CallStreamListener listener = CallRecorder.create(dir).create(session.info());
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("callId", "c42");
    metadata.put("sessionId", "7");
    metadata.put("Secret", "s3");
    metadata.put("nested", Map.of("dbPassword", "p", "ok", 1));
    session.start(metadata);
    listener.onStart(session);

    JsonNode initial = JSON.readTree(dir.resolve("c42-7/call.json").toFile());
    assertThat(initial.get("complete").asBoolean()).isFalse();
    assertThat(initial.get("endReason").isNull()).isTrue();

    listener.onAudio(session, frame(AudioChannel.AGENT, 0));
    Map<String, Object> first = new LinkedHashMap<>();
    first.put("duration", 120);
    first.put("end_time", "2024-01-01T00:02:00Z");
    session.stop(listener, first);
    session.stats(AudioChannel.AGENT, new ChannelStats(1, 2, 3, 4, 5));
    session.stats(AudioChannel.CONFERENCE, new ChannelStats(6, 7, 8, 9, 10));
    listener.onEnd(session, EndReason.CLOSED, null);

    JsonNode json = JSON.readTree(dir.resolve("c42-7/call.json").toFile());
    JsonNode expected = JSON.readTree("""
        {"callId": "c42", "sessionId": "7", "transport": "wss",
         "query": {"callId": "c42", "sessionId": "7", "secret": "***", "access_Token": "***"},
         "start": {"callId": "c42", "sessionId": "7", "Secret": "***", "nested": {"dbPassword": "***", "ok": 1}},
         "stops": [{"duration": 120, "end_time": "2024-01-01T00:02:00Z"}],
         "complete": false, "endReason": "closed",
         "channels": {"agent": {"frames": 1, "gaps": 2, "duplicates": 3, "late": 4, "reordered": 5},
                      "conference": {"frames": 6, "gaps": 7, "duplicates": 8, "late": 9, "reordered": 10}}}
        """);
    assertThat(json).isEqualTo(expected);
    List<String> names = new ArrayList<>();
    json.fieldNames().forEachRemaining(names::add);
    assertThat(names).containsExactly("callId", "sessionId", "transport", "query", "start", "stops", "complete", "endReason", "channels");
    assertThat(Files.readString(dir.resolve("c42-7/call.json"))).doesNotContain("hunter2", "abc", "s3");
    try (Stream<Path> files = Files.list(dir.resolve("c42-7"))) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("agent.wav", "conference.wav", "stereo.wav", "call.json");
    }
  }

  @Test
  void completeIsTrueOnlyWithBothStops() throws IOException {
    FakeCallSession session = pcmSession("two", "stops");
    CallStreamListener listener = CallRecorder.create(dir).create(session.info());
    listener.onAudio(session, frame(AudioChannel.AGENT, 0));
    stopTwice(session, listener);
    listener.onEnd(session, EndReason.STOPPED, null);
    JsonNode json = JSON.readTree(dir.resolve("two-stops/call.json").toFile());
    assertThat(json.get("complete").asBoolean()).isTrue();
    assertThat(json.get("endReason").asText()).isEqualTo("stopped");
    assertThat(json.get("stops")).hasSize(2);
    assertThat(json.get("start").isNull()).isTrue();
  }

  @Test
  void idsAreReducedToSafeFolderNames() {
    assertThat(CallRecorder.safeName("../../x")).isEqualTo("___.._x");
    assertThat(CallRecorder.safeName("..")).isEqualTo("__");
    assertThat(CallRecorder.safeName("/etc/passwd")).isEqualTo("_etc_passwd");
    assertThat(CallRecorder.safeName("C:\\x")).isEqualTo("C__x");
    assertThat(CallRecorder.safeName("a".repeat(10_000))).isEqualTo("a".repeat(100));
    assertThat(CallRecorder.safeName("a\u0000b\nc\u007f")).isEqualTo("a_b_c_");
    assertThat(CallRecorder.safeName("c\u0430ll\uFF0E\uFF0E")).isEqualTo("c_ll__");
    assertThat(CallRecorder.safeName("\uD83D\uDCDE1")).isEqualTo("_1");
    assertThat(CallRecorder.safeName("")).isEqualTo("unknown");
    assertThat(CallRecorder.safeName(null)).isEqualTo("unknown");
    assertThat(CallRecorder.safeName("UII-123_a.b")).isEqualTo("UII-123_a.b");
  }

  @Test
  void hostileIdsStayInsideTheRecordingsDirectory() throws IOException {
    String[] hostile = {"../../x", "..", "/etc/passwd", "C:\\x", "z".repeat(10_000), "a\u0000\r\n", "\u2024\u2024", ""};
    Path recordings = dir.resolve("recordings");
    for (String id : hostile) {
      FakeCallSession session = pcmSession(id, id);
      CallStreamListener listener = CallRecorder.create(recordings).create(session.info());
      listener.onAudio(session, frame(AudioChannel.AGENT, 0));
      listener.onEnd(session, EndReason.CLOSED, null);
    }
    try (Stream<Path> all = Files.walk(dir)) {
      assertThat(all.filter(p -> p.getFileName().toString().equals("call.json")))
          .hasSize(hostile.length)
          .allSatisfy(p -> assertThat(p.getParent().getParent()).isEqualTo(recordings));
    }
    try (Stream<Path> top = Files.list(dir)) {
      assertThat(top).containsExactly(recordings);
    }
    try (Stream<Path> folders = Files.list(recordings)) {
      assertThat(folders.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(
          "___.._x-___.._x", "__-__", "_etc_passwd-_etc_passwd", "C__x-C__x",
          "z".repeat(100) + "-" + "z".repeat(100), "a___-a___", "__-__-2", "unknown-unknown");
    }
  }

  @Test
  void aRepeatedCallGetsANewSuffixedFolderAndNothingIsOverwritten() throws IOException {
    for (int i = 0; i < 3; i++) {
      FakeCallSession session = pcmSession("same", "1");
      CallStreamListener listener = CallRecorder.create(dir).create(session.info());
      listener.onAudio(session, frame(AudioChannel.AGENT, i));
      listener.onEnd(session, EndReason.CLOSED, null);
    }
    assertThat(Recording.read(dir.resolve("same-1")).agent).hasSize(160);
    assertThat(Recording.read(dir.resolve("same-1-2")).agent).hasSize(320);
    assertThat(Recording.read(dir.resolve("same-1-3")).agent).hasSize(480);
  }

  @Test
  void aCallWithNoStartAndNoAudioLeavesNothing() throws IOException {
    FakeCallSession session = pcmSession("empty", "1");
    CallStreamListener listener = CallRecorder.builder(dir).events(recordingEvents()).build().create(session.info());
    session.stop(listener, Map.of());
    listener.onEnd(session, EndReason.CLOSED, null);
    assertThat(Files.exists(dir) ? Files.list(dir).count() : 0).isZero();
    assertThat(events).isEmpty();
  }

  @Test
  void onlyTheChosenTracksAreWritten() throws IOException {
    FakeCallSession session = pcmSession("only", "stereo");
    CallStreamListener listener = CallRecorder.builder(dir).tracks(CallRecorder.Track.STEREO).build().create(session.info());
    listener.onAudio(session, frame(AudioChannel.AGENT, 0));
    listener.onAudio(session, frame(AudioChannel.CONFERENCE, 0));
    listener.onEnd(session, EndReason.CLOSED, null);
    try (Stream<Path> files = Files.list(dir.resolve("only-stereo"))) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("stereo.wav", "call.json");
    }
    WavFile stereo = WavFile.read(dir.resolve("only-stereo/stereo.wav"));
    assertThat(stereo.channel(0)).containsExactly(samples(AudioChannel.AGENT, 0));
    assertThat(stereo.channel(1)).containsExactly(samples(AudioChannel.CONFERENCE, 0));
  }

  @Test
  void aDiskFailureStopsOnlyThatCallsRecordingAndIsReported() throws IOException {
    WavSink.Factory failing = (path, rate, channels) -> {
      WavSink real = WavSink.Factory.WAV_WRITER.open(path, rate, channels);
      if (!path.getParent().getFileName().toString().startsWith("bad")) {
        return real;
      }
      return new WavSink() {
        int writes;

        @Override
        public void write(byte[] data, int off, int len) throws IOException {
          if (++writes > 2) {
            throw new IOException("No space left on device");
          }
          real.write(data, off, len);
        }

        @Override
        public void writeSilence(long sampleFrames) throws IOException {
          real.writeSilence(sampleFrames);
        }

        @Override
        public void writeAt(long dataOffset, byte[] src, int off, int len) throws IOException {
          real.writeAt(dataOffset, src, off, len);
        }

        @Override
        public void readAt(long dataOffset, byte[] dst, int off, int len) throws IOException {
          real.readAt(dataOffset, dst, off, len);
        }

        @Override
        public void close() throws IOException {
          real.close();
        }
      };
    };
    CallRecorder recorder = CallRecorder.builder(dir).events(recordingEvents()).sinkFactory(failing).build();
    recordAGoodAndABadCall(recorder);

    JsonNode badJson = JSON.readTree(dir.resolve("bad-1/call.json").toFile());
    assertThat(badJson.get("error").asText()).isEqualTo("No space left on device");
    assertThat(badJson.get("complete").asBoolean()).isFalse();
    assertThat(badJson.get("endReason").asText()).isEqualTo("stopped");
    WavFile badAgent = WavFile.read(dir.resolve("bad-1/agent.wav"));
    assertThat(badAgent.dataSize()).as("closed with valid header after 2 frames").isEqualTo(640);
    assertThat(badAgent.samples()).containsExactly(concat(samples(AudioChannel.AGENT, 0), samples(AudioChannel.AGENT, 1)));

    JsonNode goodJson = JSON.readTree(dir.resolve("good-1/call.json").toFile());
    assertThat(goodJson.has("error")).isFalse();
    assertThat(goodJson.get("complete").asBoolean()).isTrue();
    Recording goodFiles = Recording.read(dir.resolve("good-1"));
    assertThat(goodFiles.agent).hasSize(6 * 160);
    assertThat(goodFiles.right).containsExactly(goodFiles.conference);
    assertThat(events).containsExactly("started good-1", "started bad-1", "failed bad-1",
        "finished good-1 stopped true", "finished bad-1 stopped false");
  }

  @Test
  void aFileOpenerThatFailsLikeAFullDiskFailsOnlyThatCallsRecording() throws IOException {
    // the public seam: the recorder's files come from the opener (here: a disk that fills up for "bad")
    dev.callstream.testsupport.FailingDisk disk = new dev.callstream.testsupport.FailingDisk(
        folder -> folder.startsWith("bad"), 44);
    CallRecorder recorder = CallRecorder.builder(dir).events(recordingEvents()).fileOpener(disk::open).build();
    recordAGoodAndABadCall(recorder);

    JsonNode badJson = JSON.readTree(dir.resolve("bad-1/call.json").toFile());
    assertThat(badJson.get("error").asText()).contains("No space left on device");
    assertThat(badJson.get("complete").asBoolean()).isFalse();
    assertThat(WavFile.read(dir.resolve("bad-1/agent.wav")).dataSize()).as("only the header got written").isZero();
    assertThat(Recording.read(dir.resolve("good-1")).agent).hasSize(6 * 160);
    assertThat(events).contains("failed bad-1", "finished good-1 stopped true", "finished bad-1 stopped false");
  }

  @Test
  void repairFinishesACrashedCallAndLeavesFinishedOnesAlone() throws IOException {
    FakeCallSession done = pcmSession("done", "1");
    CallStreamListener doneListener = CallRecorder.create(dir).create(done.info());
    doneListener.onAudio(done, frame(AudioChannel.AGENT, 0));
    doneListener.onEnd(done, EndReason.CLOSED, null);

    FakeCallSession crashed = pcmSession("crashed", "1");
    CallStreamListener crashedListener = CallRecorder.create(dir).create(crashed.info());
    for (int n = 0; n < 100; n++) {
      crashedListener.onAudio(crashed, frame(AudioChannel.AGENT, n));
      crashedListener.onAudio(crashed, frame(AudioChannel.CONFERENCE, n));
    }
    // No onEnd: the process "dies" here with the writers open and the headers stale.
    Path folder = dir.resolve("crashed-1");
    assertThat(WavFile.read(folder.resolve("agent.wav")).dataSize()).isLessThan(Files.size(folder.resolve("agent.wav")) - 44);

    assertThat(CallRecorder.repair(dir)).isEqualTo(1);

    for (String name : List.of("agent.wav", "conference.wav", "stereo.wav")) {
      WavFile wav = WavFile.read(folder.resolve(name));
      assertThat(wav.dataSize()).as(name).isEqualTo(wav.fileLength() - 44).isPositive();
      assertThat(wav.riffSize()).isEqualTo(wav.fileLength() - 8);
    }
    short[] agent = WavFile.read(folder.resolve("agent.wav")).samples();
    assertThat(agent.length % 160).isZero();
    for (int n = 0; n < agent.length / 160; n++) {
      assertThat(Arrays.copyOfRange(agent, n * 160, n * 160 + 160)).containsExactly(samples(AudioChannel.AGENT, n));
    }
    JsonNode json = JSON.readTree(folder.resolve("call.json").toFile());
    assertThat(json.get("endReason").asText()).isEqualTo("error");
    assertThat(json.get("complete").asBoolean()).isFalse();
    assertThat(json.get("error").asText()).contains("interrupted");
    assertThat(JSON.readTree(dir.resolve("done-1/call.json").toFile()).get("endReason").asText()).isEqualTo("closed");
    assertThat(CallRecorder.repair(dir)).as("nothing left to repair").isZero();
  }

  @Test
  void aRepairedRecordingIsConsistentAcrossItsFilesAndItsCounters() throws IOException {
    FakeCallSession crashed = pcmSession("torn", "1");
    CallStreamListener listener = CallRecorder.create(dir).create(crashed.info());
    for (int n = 0; n < 100; n++) {
      listener.onAudio(crashed, frame(AudioChannel.AGENT, n));
      listener.onAudio(crashed, frame(AudioChannel.CONFERENCE, n));
    }
    // No onEnd: each writer lost its own unflushed buffer, so the files end at different times
    // (16 KiB buffers: a mono file flushes every 51.2 frames, the stereo one every 25.6).
    Path folder = dir.resolve("torn-1");
    long agentHeld = (Files.size(folder.resolve("agent.wav")) - 44) / 2;
    long conferenceHeld = (Files.size(folder.resolve("conference.wav")) - 44) / 2;
    long stereoHeld = (Files.size(folder.resolve("stereo.wav")) - 44) / 4;
    assertThat(stereoHeld).as("the stereo file kept a tail the mono files lost").isGreaterThan(agentHeld);

    assertThat(CallRecorder.repair(dir)).isEqualTo(1);

    short[] agent = WavFile.read(folder.resolve("agent.wav")).samples();
    short[] conference = WavFile.read(folder.resolve("conference.wav")).samples();
    WavFile stereo = WavFile.read(folder.resolve("stereo.wav"));
    long held = Math.max(Math.max(agentHeld, conferenceHeld), stereoHeld);
    int slots = (int) ((held + 159) / 160);
    assertThat(agent).as("every file as long as the longest, in whole frames").hasSize(slots * 160);
    assertThat(conference).hasSize(slots * 160);
    assertThat(stereo.channel(0)).containsExactly(agent);
    assertThat(stereo.channel(1)).containsExactly(conference);
    for (int i = 0; i < slots * 160; i++) {
      // what any file held is in all of them, bit-exact; past it (the rest of the last frame) silence
      assertThat(agent[i]).as("agent sample %d", i).isEqualTo(i < held ? samples(AudioChannel.AGENT, i / 160)[i % 160] : 0);
      assertThat(conference[i]).as("conference sample %d", i)
          .isEqualTo(i < held ? samples(AudioChannel.CONFERENCE, i / 160)[i % 160] : 0);
    }
    JsonNode json = JSON.readTree(folder.resolve("call.json").toFile());
    assertThat(json.get("repaired").asBoolean()).isTrue();
    for (String side : List.of("agent", "conference")) {
      JsonNode counters = json.get("channels").get(side);
      assertThat(counters.get("frames").asLong()).as("%s frames: every frame in the files", side).isEqualTo(slots);
      assertThat(counters.get("gaps").asLong()).as("%s gaps", side).isZero();
    }
  }

  @Test
  void aRepairCountsTheSilenceItAddsAsGaps() throws IOException {
    FakeCallSession crashed = pcmSession("uneven", "1");
    CallStreamListener listener = CallRecorder.create(dir).create(crashed.info());
    for (int n = 0; n < 300; n++) { // the agent side runs on alone after frame 40
      listener.onAudio(crashed, frame(AudioChannel.AGENT, n));
      if (n < 40) {
        listener.onAudio(crashed, frame(AudioChannel.CONFERENCE, n));
      }
    }
    Path folder = dir.resolve("uneven-1");
    assertThat(CallRecorder.repair(dir)).isEqualTo(1);

    int slots = WavFile.read(folder.resolve("agent.wav")).samples().length / 160;
    short[] conference = WavFile.read(folder.resolve("conference.wav")).samples();
    assertThat(conference).hasSize(slots * 160);
    assertThat(WavFile.read(folder.resolve("stereo.wav")).channel(1)).containsExactly(conference);
    JsonNode channels = JSON.readTree(folder.resolve("call.json").toFile()).get("channels");
    for (String side : List.of("agent", "conference")) {
      assertThat(channels.get(side).get("frames").asLong() + channels.get(side).get("gaps").asLong())
          .as("%s: frames + gaps = the frames in its file", side).isEqualTo(slots);
    }
    long conferenceFrames = channels.get("conference").get("frames").asLong();
    assertThat(conferenceFrames).as("conference frames held on disk").isBetween(1L, 40L);
    for (int i = 0; i < slots * 160; i++) {
      assertThat(conference[i]).as("conference sample %d", i)
          .isEqualTo(i < conferenceFrames * 160 ? samples(AudioChannel.CONFERENCE, i / 160)[i % 160] : 0);
    }
  }

  @Test
  void recordsACallDrivenThroughTheRealCallDriver() throws IOException {
    CallRecorder recorder = CallRecorder.builder(dir).events(recordingEvents()).build();
    CallInfo info = new CallInfo(Transport.WSS, "drv", "9", null, null, null, null, null, null, null, null,
        Map.of("callId", "drv", "sessionId", "9", "token", "abc"));
    CallDriver driver = new CallDriver(info, recorder.create(info), CallDriver.DEFAULT_REORDER_WINDOW, () -> {});
    Random random = new Random(11);
    byte[][] agent = new byte[30][160];
    byte[][] conference = new byte[30][160];
    for (int n = 0; n < 30; n++) {
      random.nextBytes(agent[n]);
      random.nextBytes(conference[n]);
    }
    Map<String, Object> wire = new LinkedHashMap<>();
    wire.put("query", info.parameters());
    wire.put("start", Map.of("callId", "drv", "secret", "shh"));
    driver.start(new CallMetadata("drv", "9", null, null, null, null, null, null, null, null, null, null, Map.of()), wire);
    driver.segmentStart("agent", new Participant("agent", ParticipantType.AGENT, null), AudioFormat.MULAW_8K, 0);
    driver.segmentStart("conference", new Participant("conference", ParticipantType.CONTACT, null), AudioFormat.MULAW_8K, 0);
    for (int n = 0; n < 30; n++) {
      int agentSequence = n == 5 ? 6 : n == 6 ? 5 : n; // 5 and 6 swapped on the wire
      if (agentSequence != 10) { // agent frame 10 never arrives
        driver.media("agent", agentSequence, agent[agentSequence]);
      }
      driver.media("conference", n, conference[n]);
      if (n == 3) {
        driver.media("conference", 3, conference[3]); // duplicate
      }
    }
    wire.put("stops", List.of(Map.of("duration", 1), Map.of("duration", 1)));
    driver.wireDetails(wire);
    driver.transportEvent(new FakeCallSession.Event(Transport.WSS, "Stop", Map.of("duration", 1)));
    driver.segmentStop("agent");
    driver.segmentStop("conference");
    driver.end(EndReason.STOPPED, null);
    assertThat(driver.ended()).isTrue();

    Recording files = Recording.read(dir.resolve("drv-9"));
    short[] expectedAgent = new short[30 * 160];
    short[] expectedConference = new short[30 * 160];
    for (int n = 0; n < 30; n++) {
      if (n != 10) {
        System.arraycopy(G711Reference.decodeMulaw(agent[n]), 0, expectedAgent, n * 160, 160);
      }
      System.arraycopy(G711Reference.decodeMulaw(conference[n]), 0, expectedConference, n * 160, 160);
    }
    assertThat(files.agent).isEqualTo(expectedAgent);
    assertThat(files.conference).isEqualTo(expectedConference);
    assertThat(files.left).isEqualTo(expectedAgent);
    assertThat(files.right).isEqualTo(expectedConference);
    JsonNode json = JSON.readTree(dir.resolve("drv-9/call.json").toFile());
    assertThat(json.get("complete").asBoolean()).isTrue();
    assertThat(json.get("endReason").asText()).isEqualTo("stopped");
    assertThat(json.at("/query/token").asText()).isEqualTo("***");
    assertThat(json.at("/start/secret").asText()).isEqualTo("***");
    assertThat(json.at("/channels/agent/frames").asLong()).isEqualTo(29);
    assertThat(json.at("/channels/agent/gaps").asLong()).isEqualTo(1);
    assertThat(json.at("/channels/agent/reordered").asLong()).isPositive();
    assertThat(json.at("/channels/conference/frames").asLong()).isEqualTo(30);
    assertThat(json.at("/channels/conference/duplicates").asLong()).isEqualTo(1);
    assertThat(events).containsExactly("started drv-9", "finished drv-9 stopped true");
  }

  @Test
  void stereoEqualsTheInterleavedMonosForRandomArrivalOrdersAroundASmallWindow() throws IOException {
    for (int seed = 1; seed <= 20; seed++) {
      Random random = new Random(seed);
      FakeCallSession session = pcmSession("random", String.valueOf(seed));
      CallStreamListener listener = CallRecorder.builder(dir).stereoWindowSlots(3).build().create(session.info());
      long[] next = new long[2];
      List<List<Boolean>> audible = List.of(new ArrayList<>(), new ArrayList<>());
      int side = 0;
      int run = 0;
      for (int step = 0; step < 300; step++) {
        if (run-- == 0) {
          // Runs of up to 12 frames of one side: each side now and then gets past the 3-slot window.
          side = random.nextInt(2);
          run = random.nextInt(12);
        }
        AudioChannel channel = side == 0 ? AudioChannel.AGENT : AudioChannel.CONFERENCE;
        if (random.nextInt(6) == 0) {
          int count = 1 + random.nextInt(4);
          listener.onGap(session, session.gap(channel, next[side], count));
          for (int i = 0; i < count; i++) {
            audible.get(side).add(false);
          }
          next[side] += count;
        } else {
          listener.onAudio(session, frame(channel, next[side]++));
          audible.get(side).add(true);
        }
      }
      listener.onEnd(session, EndReason.CLOSED, null);

      Recording files = Recording.read(dir.resolve("random-" + seed));
      int length = (int) Math.max(next[0], next[1]);
      for (int check = 0; check < 2; check++) {
        AudioChannel channel = check == 0 ? AudioChannel.AGENT : AudioChannel.CONFERENCE;
        short[] expected = new short[length * 160];
        for (int n = 0; n < audible.get(check).size(); n++) {
          if (audible.get(check).get(n)) {
            System.arraycopy(samples(channel, n), 0, expected, n * 160, 160);
          }
        }
        assertThat(check == 0 ? files.agent : files.conference).as("seed %d side %d", seed, check).isEqualTo(expected);
        assertThat(check == 0 ? files.left : files.right).as("seed %d stereo side %d", seed, check).isEqualTo(expected);
      }
    }
  }

  // ---- helpers ----

  public static FakeCallSession pcmSession(String callId, String sessionId) {
    FakeCallSession session = new FakeCallSession(callId, sessionId);
    session.format(PCM_8K);
    return session;
  }

  /** Records good-1 and bad-1 side by side: six frames a side each, both stops (twice), then the end. */
  private static void recordAGoodAndABadCall(CallRecorder recorder) {
    FakeCallSession good = pcmSession("good", "1");
    FakeCallSession bad = pcmSession("bad", "1");
    CallStreamListener goodListener = recorder.create(good.info());
    CallStreamListener badListener = recorder.create(bad.info());
    for (int n = 0; n < 6; n++) {
      for (AudioChannel channel : AudioChannel.values()) {
        goodListener.onAudio(good, frame(channel, n));
        badListener.onAudio(bad, frame(channel, n));
      }
    }
    stopTwice(good, goodListener);
    stopTwice(bad, badListener);
    goodListener.onEnd(good, EndReason.STOPPED, null);
    badListener.onEnd(bad, EndReason.STOPPED, null);
  }

  static void stopTwice(FakeCallSession session, CallStreamListener listener) {
    for (int i = 0; i < 2; i++) {
      session.stop(listener, Map.of("duration", 1, "end_time", "2024-01-01T00:00:01Z"));
    }
  }

  /** Distinct, recognisable samples for a channel's frame {@code n}. */
  public static short[] samples(AudioChannel channel, long n) {
    short[] samples = new short[160];
    int sign = channel == AudioChannel.AGENT ? 1 : -1;
    for (int i = 0; i < 160; i++) {
      samples[i] = (short) (sign * (1 + (n * 160 + i) % 30_000));
    }
    return samples;
  }

  public static AudioFrame frame(AudioChannel channel, long n) {
    return new AudioFrame(FakeCallSession.segment(channel, PCM_8K), n, n, WavWriterTest.pcm(samples(channel, n)));
  }

  public static short[] concat(short[]... parts) {
    int length = 0;
    for (short[] part : parts) {
      length += part.length;
    }
    short[] all = new short[length];
    int at = 0;
    for (short[] part : parts) {
      System.arraycopy(part, 0, all, at, part.length);
      at += part.length;
    }
    return all;
  }

  /** The three WAV files of a call folder. */
  static final class Recording {
    short[] agent;
    short[] conference;
    short[] left;
    short[] right;

    static Recording read(Path folder) throws IOException {
      Recording r = new Recording();
      r.agent = WavFile.read(folder.resolve("agent.wav")).samples();
      r.conference = WavFile.read(folder.resolve("conference.wav")).samples();
      WavFile stereo = WavFile.read(folder.resolve("stereo.wav"));
      r.left = stereo.channel(0);
      r.right = stereo.channel(1);
      return r;
    }
  }
}
