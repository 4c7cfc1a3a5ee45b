package dev.callstream.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.callstream.testsupport.G711Reference;
import dev.callstream.core.recording.CallRecorder;
import dev.callstream.grpc.proto.ParticipantType;
import io.grpc.Status;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CallRecorder records a gRPC call with no change on the user's side (CONTRACTS.md section 5). */
class GrpcRecordingTest {
  private static final int CHUNK = 800;

  @TempDir Path dir;

  @Test
  void aCallWithALaterAgentAndABotIsRecordedBitExactOnTheCallTimeline() throws Exception {
    byte[] contact = codes(3, 20 * CHUNK);
    byte[] agent = codes(50, 5 * CHUNK);
    byte[] bot = codes(200, 2 * CHUNK);
    try (GrpcHarness grpc = GrpcHarness.plaintext(CallRecorder.builder(dir).build(), b -> b)) {
      GrpcHarness.ClientStream stream = grpc.open();
      stream.send(RingCx.dialogInit("dialog:42"), RingCx.segmentStart("contact", ParticipantType.CONTACT));
      for (int i = 0; i < 10; i++) {
        stream.send(RingCx.media("contact", i + 1, chunk(contact, i)));
      }
      // join 1 s into the call: silence before, never audio shifted to the start
      stream.send(RingCx.segmentStart("agent", ParticipantType.AGENT), RingCx.segmentStart("bot", ParticipantType.BOT));
      for (int i = 0; i < 10; i++) {
        stream.send(RingCx.media("contact", i + 11, chunk(contact, i + 10)));
        if (i < 5) {
          stream.send(RingCx.media("agent", i + 1, chunk(agent, i)));
        }
        if (i < 2) {
          stream.send(RingCx.media("bot", i + 1, chunk(bot, i)));
        }
      }
      stream.send(RingCx.info("contact", "hold", "by agent"), RingCx.stop("bot"), RingCx.stop("agent"),
          RingCx.stop("contact"));
      stream.halfClose();
      assertThat(stream.awaitStatus().getCode()).isEqualTo(Status.Code.OK);
    }

    Path folder = dir.resolve("dialog_42-session-1");
    short[] contactPcm = G711Reference.decodeMulaw(contact);
    short[] agentPcm = new short[16000];
    System.arraycopy(G711Reference.decodeMulaw(agent), 0, agentPcm, 8000, 4000);
    short[] conferencePcm = contactPcm.clone();
    short[] botPcm = G711Reference.decodeMulaw(bot);
    for (int i = 0; i < botPcm.length; i++) {
      conferencePcm[8000 + i] = (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, conferencePcm[8000 + i] + botPcm[i]));
    }
    assertThat(mono(folder.resolve("agent.wav"))).containsExactly(agentPcm);
    assertThat(mono(folder.resolve("conference.wav"))).containsExactly(conferencePcm);
    assertThat(mono(folder.resolve("segment-contact.wav"))).containsExactly(contactPcm);
    short[] stereo = mono(folder.resolve("stereo.wav"));
    assertThat(stereo).hasSize(32000);
    for (int i = 0; i < 16000; i++) {
      assertThat(stereo[2 * i]).as("left sample %d", i).isEqualTo(agentPcm[i]);
      assertThat(stereo[2 * i + 1]).as("right sample %d", i).isEqualTo(conferencePcm[i]);
    }
    try (Stream<Path> files = Files.list(folder)) {
      assertThat(files.map(f -> f.getFileName().toString())).contains("segment-agent.wav", "segment-bot.wav");
    }

    JsonNode json = new ObjectMapper().readTree(folder.resolve("call.json").toFile());
    assertThat(json.get("transport").asText()).isEqualTo("grpc");
    assertThat(json.get("callId").asText()).isEqualTo("dialog:42");
    assertThat(json.get("complete").asBoolean()).isTrue();
    assertThat(json.get("endReason").asText()).isEqualTo("stopped");
    assertThat(json.get("account").get("subAccountId").asText()).isEqualTo("sub-2");
    assertThat(json.get("dialog").get("attributes").get("queue").asText()).isEqualTo("sales");
    JsonNode segments = json.get("segments");
    assertThat(segments).hasSize(3);
    assertThat(segments.get(0).get("id").asText()).isEqualTo("contact");
    assertThat(segments.get(0).get("participant").get("type").asText()).isEqualTo("CONTACT");
    assertThat(segments.get(0).get("format").get("codec").asText()).isEqualTo("PCMU");
    assertThat(segments.get(0).get("format").get("ptime").asInt()).isEqualTo(100);
    assertThat(segments.get(0).get("frames").asInt()).isEqualTo(20);
    assertThat(segments.get(0).get("info").get(0).get("event").asText()).isEqualTo("hold");
    assertThat(segments.get(1).get("frames").asInt()).isEqualTo(5);
  }

  private static byte[] chunk(byte[] audio, int index) {
    byte[] chunk = new byte[CHUNK];
    System.arraycopy(audio, index * CHUNK, chunk, 0, CHUNK);
    return chunk;
  }

  private static byte[] codes(int offset, int length) {
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] = (byte) (i * 13 + offset);
    }
    return bytes;
  }

  /** The 16-bit samples of a canonical 44-byte-header WAV file. */
  private static short[] mono(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    assertThat(new String(bytes, 0, 4, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("RIFF");
    int offset = 12;
    ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    while (offset + 8 <= bytes.length) {
      String id = new String(bytes, offset, 4, java.nio.charset.StandardCharsets.US_ASCII);
      int size = buffer.getInt(offset + 4);
      if (id.equals("data")) {
        short[] samples = new short[size / 2];
        buffer.position(offset + 8);
        buffer.asShortBuffer().get(samples);
        return samples;
      }
      offset += 8 + size + (size & 1);
    }
    throw new AssertionError(file + " has no data chunk");
  }
}
