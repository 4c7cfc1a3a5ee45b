package dev.callstream.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callstream.core.AudioFrame;
import dev.callstream.core.EndReason;
import dev.callstream.testsupport.G711Reference;
import dev.callstream.core.audio.AudioFormat;
import dev.callstream.grpc.proto.Codec;
import dev.callstream.grpc.proto.ParticipantType;
import io.grpc.Status;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Decoded samples compared with the SoX G.711 tables, bit for bit. */
class GrpcCodecTest {

  private static RecordingCallListener oneSegmentCall(Codec codec, int rate, int ptime, List<byte[]> payloads)
      throws Exception {
    try (GrpcHarness grpc = GrpcHarness.plaintext(b -> b)) {
      GrpcHarness.ClientStream stream = grpc.open();
      stream.send(RingCx.dialogInit("dialog-codec"), RingCx.segmentStart("s", ParticipantType.CONTACT, codec, rate, ptime));
      int seq = 1;
      for (byte[] payload : payloads) {
        stream.send(RingCx.media("s", seq++, payload));
      }
      stream.send(RingCx.stop("s"));
      stream.halfClose();
      assertThat(stream.awaitStatus().getCode()).isEqualTo(Status.Code.OK);
      RecordingCallListener call = grpc.listeners.next();
      assertThat(call.awaitEnd()).isEqualTo(EndReason.STOPPED);
      return call;
    }
  }

  @Test
  void pcmuChunksDecodeBitExactToTheSoxTable() throws Exception {
    List<byte[]> chunks = List.of(RingCx.everyCode(0, 800), RingCx.everyCode(17, 800), RingCx.everyCode(200, 800));
    RecordingCallListener call = oneSegmentCall(Codec.PCMU, 8000, 100, chunks);
    short[] table = G711Reference.mulaw();
    assertThat(call.frames).hasSize(3);
    for (int i = 0; i < 3; i++) {
      AudioFrame frame = call.frames.get(i);
      assertThat(frame.format()).isEqualTo(new AudioFormat(AudioFormat.Encoding.MULAW, 8000, 100));
      short[] samples = frame.samples();
      assertThat(samples).hasSize(800);
      for (int j = 0; j < 800; j++) {
        assertThat(samples[j]).as("chunk %d sample %d", i, j).isEqualTo(table[chunks.get(i)[j] & 0xff]);
      }
    }
    assertThat(call.errors).isEmpty();
  }

  @Test
  void pcmaChunksDecodeBitExactToTheSoxTable() throws Exception {
    List<byte[]> chunks = List.of(RingCx.everyCode(0, 800), RingCx.everyCode(99, 800));
    RecordingCallListener call = oneSegmentCall(Codec.PCMA, 8000, 100, chunks);
    short[] table = G711Reference.alaw();
    assertThat(call.frames).hasSize(2);
    for (int i = 0; i < 2; i++) {
      short[] samples = call.frames.get(i).samples();
      for (int j = 0; j < 800; j++) {
        assertThat(samples[j]).as("chunk %d sample %d", i, j).isEqualTo(table[chunks.get(i)[j] & 0xff]);
      }
    }
  }

  @Test
  void l16IsBigEndianSixteenBitPcm() throws Exception {
    byte[] chunk = new byte[320]; // 20 ms at 8 kHz
    short[] expected = new short[160];
    for (int i = 0; i < 160; i++) {
      expected[i] = (short) (i * 397 - 30000);
      chunk[2 * i] = (byte) (expected[i] >> 8);
      chunk[2 * i + 1] = (byte) expected[i];
    }
    RecordingCallListener call = oneSegmentCall(Codec.L16, 8000, 20, List.of(chunk));
    assertThat(call.frames).hasSize(1);
    assertThat(call.frames.get(0).samples()).containsExactly(expected);
    assertThat(call.frames.get(0).durationMillis()).isEqualTo(20);
  }

  @Test
  void framesOfAnyPtimeKeepTheirDuration() throws Exception {
    RecordingCallListener call = oneSegmentCall(Codec.PCMU, 8000, 20,
        List.of(new byte[160], new byte[160], new byte[160]));
    assertThat(call.frames).extracting(AudioFrame::durationMillis).containsExactly(20, 20, 20);
    assertThat(call.frames).extracting(AudioFrame::startMillis).containsExactly(0L, 20L, 40L);
  }

  @Test
  void opusIsDeliveredRawAndReportedOnceAsNotDecoded() throws Exception {
    byte[] packet = {0x78, 0x01, 0x02, 0x03};
    RecordingCallListener call = oneSegmentCall(Codec.OPUS, 48000, 20, List.of(packet, packet, packet));
    assertThat(call.frames).hasSize(3);
    assertThat(call.frames.get(0).payload()).containsExactly(packet);
    assertThat(call.frames.get(0).format().encoding()).isEqualTo(AudioFormat.Encoding.OPUS);
    assertThat(call.frames.get(0).decodable()).isFalse();
    assertThat(call.errors).hasSize(1);
    call.assertErrorMentioning("OPUS");
    call.assertErrorMentioning("not decoded");
  }

  @Test
  void flacIsDeliveredRawAndReportedOnceAsNotDecoded() throws Exception {
    byte[] packet = {(byte) 0xff, (byte) 0xf8, 0x69, 0x18};
    RecordingCallListener call = oneSegmentCall(Codec.FLAC, 16000, 100, List.of(packet));
    assertThat(call.frames).hasSize(1);
    assertThat(call.frames.get(0).payload()).containsExactly(packet);
    assertThat(call.errors).hasSize(1);
    call.assertErrorMentioning("FLAC");
    call.assertErrorMentioning("not decoded");
  }
}
