package dev.callstream.grpc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.UnknownFieldSet;
import dev.callstream.grpc.proto.AudioContent;
import dev.callstream.grpc.proto.SegmentMediaEvent;
import dev.callstream.grpc.proto.SegmentStopEvent;
import dev.callstream.grpc.proto.StreamEvent;
import io.grpc.StatusRuntimeException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The fast media path gives what the generated parser gives, or steps aside. */
class InboundTest {
  private final Inbound.Marshaller marshaller = new Inbound.Marshaller();

  private static StreamEvent media(String session, String segment, int seq, byte[] payload) {
    return StreamEvent.newBuilder().setSessionId(session)
        .setSegmentMedia(SegmentMediaEvent.newBuilder().setSegmentId(segment)
            .setAudioContent(AudioContent.newBuilder().setPayload(ByteString.copyFrom(payload)).setSeq(seq)))
        .build();
  }

  private Inbound parse(byte[] bytes) {
    return marshaller.parse(new ByteArrayInputStream(bytes));
  }

  /** The fast path's result equals the generated parser's media fields. */
  private static void assertSameMedia(Inbound fast, StreamEvent expected) {
    assertThat(fast.fastMedia()).isTrue();
    SegmentMediaEvent media = expected.getSegmentMedia();
    assertThat(fast.segmentId).isEqualTo(media.getSegmentId());
    assertThat(fast.seq).isEqualTo(Integer.toUnsignedLong(media.getAudioContent().getSeq()));
    assertThat(fast.payload).isEqualTo(media.getAudioContent().getPayload().toByteArray());
  }

  @Test
  void plainMediaTakesTheFastPathWithTheSameFields() throws Exception {
    Random random = new Random(7);
    for (int i = 0; i < 200; i++) {
      byte[] payload = new byte[random.nextInt(1700)];
      random.nextBytes(payload);
      int seq = random.nextInt();   // negative ints are seq values above 2^31
      StreamEvent event = media(i % 3 == 0 ? "" : "session-" + i, "seg-é-" + i, seq, payload);
      byte[] bytes = event.toByteArray();
      assertSameMedia(parse(bytes), StreamEvent.parseFrom(bytes));
    }
  }

  @Test
  void mediaWithDefaultsAndDurationTakesTheFastPath() throws Exception {
    StreamEvent noContent = StreamEvent.newBuilder().setSegmentMedia(SegmentMediaEvent.newBuilder().setSegmentId("a")).build();
    assertSameMedia(parse(noContent.toByteArray()), noContent);
    StreamEvent empty = StreamEvent.newBuilder().setSegmentMedia(SegmentMediaEvent.getDefaultInstance()).build();
    assertSameMedia(parse(empty.toByteArray()), empty);
    StreamEvent duration = StreamEvent.newBuilder().setSegmentMedia(SegmentMediaEvent.newBuilder().setSegmentId("a")
        .setAudioContent(AudioContent.newBuilder().setPayload(ByteString.copyFrom(new byte[] {1, 2})).setSeq(9).setDuration(100)))
        .build();
    assertSameMedia(parse(duration.toByteArray()), duration);
  }

  @Test
  void otherEventsAndUnusualMediaGoToTheGeneratedParser() throws Exception {
    StreamEvent stop = StreamEvent.newBuilder().setSessionId("s").setSegmentStop(SegmentStopEvent.newBuilder().setSegmentId("a")).build();
    assertThat(parse(stop.toByteArray()).event).isEqualTo(stop);
    assertThat(parse(new byte[0]).event).isEqualTo(StreamEvent.getDefaultInstance());

    // unknown fields at each level
    StreamEvent plain = media("s", "a", 5, new byte[] {1, 2, 3, 4});
    UnknownFieldSet unknown = UnknownFieldSet.newBuilder()
        .addField(99, UnknownFieldSet.Field.newBuilder().addVarint(1).build()).build();
    StreamEvent[] unusual = {
        plain.toBuilder().setUnknownFields(unknown).build(),
        plain.toBuilder().setSegmentMedia(plain.getSegmentMedia().toBuilder().setUnknownFields(unknown)).build(),
        plain.toBuilder().setSegmentMedia(plain.getSegmentMedia().toBuilder().setAudioContent(
            plain.getSegmentMedia().getAudioContent().toBuilder().setUnknownFields(unknown))).build(),
    };
    for (StreamEvent event : unusual) {
      Inbound inbound = parse(event.toByteArray());
      assertThat(inbound.fastMedia()).isFalse();
      assertThat(inbound.event).isEqualTo(StreamEvent.parseFrom(event.toByteArray()));
    }

    // a repeated field (the generated parser merges, last wins): left to it
    byte[] twice = concat(media("s", "a", 1, new byte[] {1, 2}).toByteArray(), media("", "b", 2, new byte[] {3, 4}).toByteArray());
    Inbound merged = parse(twice);
    assertThat(merged.fastMedia()).isFalse();
    assertThat(merged.event).isEqualTo(StreamEvent.parseFrom(twice));
    assertThat(merged.event.getSegmentMedia().getSegmentId()).isEqualTo("b");

    // media then another event of the oneof: the last one wins in the generated parser
    byte[] thenStop = concat(plain.toByteArray(), stop.toByteArray());
    assertThat(parse(thenStop).event).isEqualTo(StreamEvent.parseFrom(thenStop));
    assertThat(parse(thenStop).event.hasSegmentStop()).isTrue();
  }

  @Test
  void malformedBytesFailAsWithTheGeneratedMarshaller() throws IOException {
    byte[] good = media("s", "a", 5, new byte[] {1, 2, 3, 4}).toByteArray();
    byte[] truncated = java.util.Arrays.copyOf(good, good.length - 2);
    assertThatThrownBy(() -> parse(truncated)).isInstanceOf(StatusRuntimeException.class)
        .hasMessageContaining("INTERNAL");

    // a segment id that is not UTF-8 (proto3 strings are checked)
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CodedOutputStream media = CodedOutputStream.newInstance(out);
    media.writeByteArray(1, new byte[] {(byte) 0xC3, (byte) 0x28});
    media.flush();
    ByteArrayOutputStream event = new ByteArrayOutputStream();
    CodedOutputStream top = CodedOutputStream.newInstance(event);
    top.writeByteArray(4, out.toByteArray());
    top.flush();
    assertThatThrownBy(() -> parse(event.toByteArray())).isInstanceOf(StatusRuntimeException.class)
        .hasMessageContaining("INTERNAL");
  }

  @Test
  void aFastChunkConvertsBackToTheSameMessage() throws Exception {
    StreamEvent event = media("", "a", -3, new byte[] {9, 8, 7});
    assertThat(parse(event.toByteArray()).toStreamEvent()).isEqualTo(event);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
