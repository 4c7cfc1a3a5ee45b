package dev.callstream.grpc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.callstream.core.CallMetadata;
import dev.callstream.core.Participant;
import dev.callstream.core.ParticipantType;
import dev.callstream.core.audio.AudioFormat;
import dev.callstream.grpc.proto.Account;
import dev.callstream.grpc.proto.Codec;
import dev.callstream.grpc.proto.Dialog;
import dev.callstream.grpc.proto.DialogInitEvent;
import dev.callstream.grpc.proto.DialogType;
import dev.callstream.grpc.proto.Product;
import dev.callstream.grpc.proto.ProductType;
import dev.callstream.grpc.proto.SegmentStartEvent;
import dev.callstream.grpc.proto.StreamEvent;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProtoMappingTest {

  @Test
  void dialogInitBecomesCallMetadataWithEmptyStringsAsNull() {
    DialogInitEvent init = DialogInitEvent.newBuilder()
        .setAccount(Account.newBuilder().setId("a").setRcAccountId("rc"))
        .setDialog(Dialog.newBuilder().setId("d").setType(DialogType.OUTBOUND).setLanguage("en-US")
            .putAttributes("k", "v"))
        .build();
    CallMetadata metadata = ProtoMapping.metadata(init, "");
    assertThat(metadata.callId()).isEqualTo("d");
    assertThat(metadata.sessionId()).isNull();
    assertThat(metadata.accountId()).isEqualTo("a");
    assertThat(metadata.subaccountId()).isNull();
    assertThat(metadata.rcAccountId()).isEqualTo("rc");
    assertThat(metadata.dialogType()).isEqualTo("OUTBOUND");
    assertThat(metadata.ani()).isNull();
    assertThat(metadata.language()).isEqualTo("en-US");
    assertThat(metadata.attributes()).containsExactly(Map.entry("k", "v"));
  }

  @Test
  void anUnknownDialogTypeIsKeptAsItsNumber() {
    DialogInitEvent init = DialogInitEvent.newBuilder().setDialog(Dialog.newBuilder().setId("d").setTypeValue(9)).build();
    assertThat(ProtoMapping.metadata(init, "s").dialogType()).isEqualTo("9");
    assertThat(ProtoMapping.wireDetails(init).get("dialog")).isInstanceOfSatisfying(Map.class,
        dialog -> assertThat(dialog.get("type")).isEqualTo("9"));
  }

  @Test
  void participantTypesMapWithUnknownValuesToUnknown() {
    assertThat(participant(dev.callstream.grpc.proto.ParticipantType.AGENT).type()).isEqualTo(ParticipantType.AGENT);
    assertThat(participant(dev.callstream.grpc.proto.ParticipantType.CONTACT).type()).isEqualTo(ParticipantType.CONTACT);
    assertThat(participant(dev.callstream.grpc.proto.ParticipantType.BOT).type()).isEqualTo(ParticipantType.BOT);
    assertThat(ProtoMapping.participant(SegmentStartEvent.newBuilder().setParticipant(
        dev.callstream.grpc.proto.Participant.newBuilder().setId("x").setTypeValue(3)).build()))
        .isEqualTo(new Participant("x", ParticipantType.UNKNOWN, null));
    assertThat(ProtoMapping.participant(SegmentStartEvent.getDefaultInstance()))
        .isEqualTo(new Participant("", ParticipantType.UNKNOWN, null));
  }

  private static Participant participant(dev.callstream.grpc.proto.ParticipantType type) {
    return ProtoMapping.participant(SegmentStartEvent.newBuilder()
        .setParticipant(dev.callstream.grpc.proto.Participant.newBuilder().setId("p").setType(type).setName("N")).build());
  }

  @Test
  void formatsMapEveryCodecAndDefaultMissingValues() {
    assertThat(format(Codec.PCMU, 8000, 100)).isEqualTo(new AudioFormat(AudioFormat.Encoding.MULAW, 8000, 100));
    assertThat(format(Codec.PCMA, 8000, 20)).isEqualTo(new AudioFormat(AudioFormat.Encoding.ALAW, 8000, 20));
    assertThat(format(Codec.L16, 16000, 10)).isEqualTo(new AudioFormat(AudioFormat.Encoding.L16, 16000, 10));
    assertThat(format(Codec.OPUS, 48000, 20)).isEqualTo(new AudioFormat(AudioFormat.Encoding.OPUS, 48000, 20));
    assertThat(format(Codec.FLAC, 8000, 100)).isEqualTo(new AudioFormat(AudioFormat.Encoding.FLAC, 8000, 100));
    assertThat(format(Codec.CODEC_UNSPECIFIED, 0, 0)).isEqualTo(ProtoMapping.DEFAULT_FORMAT);
    assertThat(ProtoMapping.format(SegmentStartEvent.getDefaultInstance())).isEqualTo(ProtoMapping.DEFAULT_FORMAT);
    assertThat(ProtoMapping.DEFAULT_FORMAT).isEqualTo(new AudioFormat(AudioFormat.Encoding.MULAW, 8000, 100));
  }

  @Test
  void absurdFormatsAreRefusedNamingTheValue() {
    assertThatThrownBy(() -> format(Codec.PCMU, 500, 100)).hasMessage("rate out of 1000..192000: 500");
    assertThatThrownBy(() -> format(Codec.PCMU, -1, 100)).hasMessage("rate out of 1000..192000: 4294967295");
    assertThatThrownBy(() -> format(Codec.PCMU, 8000, 1001)).hasMessage("ptime out of 1..1000 ms: 1001");
    assertThatThrownBy(() -> ProtoMapping.format(SegmentStartEvent.newBuilder()
        .setAudioFormat(dev.callstream.grpc.proto.AudioFormat.newBuilder().setCodecValue(17)).build()))
        .hasMessage("unknown codec 17");
  }

  private static AudioFormat format(Codec codec, int rate, int ptime) {
    return ProtoMapping.format(SegmentStartEvent.newBuilder().setAudioFormat(
        dev.callstream.grpc.proto.AudioFormat.newBuilder().setCodec(codec).setRate(rate).setPtime(ptime)).build());
  }

  @Test
  void fieldsRenderEveryFieldInCamelCaseWithOptionalsAsNullAndNoBytes() {
    StreamEvent event = StreamEvent.newBuilder().setSessionId("s").setSegmentStart(SegmentStartEvent.newBuilder()
        .setSegmentId("seg").setProduct(Product.newBuilder().setId("42").setType(ProductType.QUEUE))).build();
    Map<String, Object> fields = ProtoMapping.fields(event);
    assertThat(fields).containsOnlyKeys("sessionId", "segmentStart");
    @SuppressWarnings("unchecked")
    Map<String, Object> start = (Map<String, Object>) fields.get("segmentStart");
    assertThat(start).containsEntry("segmentId", "seg").containsEntry("audioFormat", null);
    assertThat(start.get("product")).isEqualTo(Map.of("id", "42", "type", "QUEUE"));
    assertThat(start.get("participant")).isNull();

    StreamEvent media = StreamEvent.newBuilder().setSegmentMedia(dev.callstream.grpc.proto.SegmentMediaEvent.newBuilder()
        .setSegmentId("seg").setAudioContent(dev.callstream.grpc.proto.AudioContent.newBuilder()
            .setPayload(com.google.protobuf.ByteString.copyFromUtf8("audio")).setSeq(-1))).build();
    @SuppressWarnings("unchecked")
    Map<String, Object> content = (Map<String, Object>) ((Map<String, Object>) ProtoMapping.fields(media)
        .get("segmentMedia")).get("audioContent");
    assertThat(content).containsOnlyKeys("seq", "duration").containsEntry("seq", 4294967295L);
  }
}
