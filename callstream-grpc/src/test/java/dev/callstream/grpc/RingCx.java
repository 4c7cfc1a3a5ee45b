package dev.callstream.grpc;

import com.google.protobuf.ByteString;
import dev.callstream.grpc.proto.Account;
import dev.callstream.grpc.proto.AudioContent;
import dev.callstream.grpc.proto.AudioFormat;
import dev.callstream.grpc.proto.Codec;
import dev.callstream.grpc.proto.Dialog;
import dev.callstream.grpc.proto.DialogInitEvent;
import dev.callstream.grpc.proto.DialogType;
import dev.callstream.grpc.proto.Participant;
import dev.callstream.grpc.proto.ParticipantType;
import dev.callstream.grpc.proto.SegmentInfoEvent;
import dev.callstream.grpc.proto.SegmentMediaEvent;
import dev.callstream.grpc.proto.SegmentStartEvent;
import dev.callstream.grpc.proto.SegmentStopEvent;
import dev.callstream.grpc.proto.StreamEvent;

/** Builds the events RingCX sends, for tests. */
final class RingCx {
  static final String SESSION = "session-1";

  private RingCx() {}

  static StreamEvent dialogInit(String dialogId) {
    return StreamEvent.newBuilder().setSessionId(SESSION).setDialogInit(DialogInitEvent.newBuilder()
        .setAccount(Account.newBuilder().setId("acc-1").setSubAccountId("sub-2").setRcAccountId("rc-3"))
        .setDialog(Dialog.newBuilder().setId(dialogId).setType(DialogType.INBOUND).setAni("+15551230000")
            .setDnis("+15559870000").putAttributes("queue", "sales").putAttributes("tier", "gold")))
        .build();
  }

  static StreamEvent segmentStart(String segmentId, ParticipantType type) {
    return segmentStart(segmentId, type, Codec.PCMU, 8000, 100);
  }

  static StreamEvent segmentStart(String segmentId, ParticipantType type, Codec codec, int rate, int ptime) {
    return StreamEvent.newBuilder().setSessionId(SESSION).setSegmentStart(SegmentStartEvent.newBuilder()
        .setSegmentId(segmentId)
        .setParticipant(Participant.newBuilder().setId("p-" + segmentId).setType(type).setName("Name " + segmentId))
        .setAudioFormat(AudioFormat.newBuilder().setCodec(codec).setRate(rate).setPtime(ptime)))
        .build();
  }

  static StreamEvent segmentStartWithoutFormat(String segmentId, ParticipantType type) {
    return StreamEvent.newBuilder().setSessionId(SESSION).setSegmentStart(SegmentStartEvent.newBuilder()
        .setSegmentId(segmentId)
        .setParticipant(Participant.newBuilder().setId("p-" + segmentId).setType(type)))
        .build();
  }

  static StreamEvent media(String segmentId, int seq, byte[] payload) {
    return StreamEvent.newBuilder().setSessionId(SESSION).setSegmentMedia(SegmentMediaEvent.newBuilder()
        .setSegmentId(segmentId)
        .setAudioContent(AudioContent.newBuilder().setPayload(ByteString.copyFrom(payload)).setSeq(seq).setDuration(100)))
        .build();
  }

  static StreamEvent info(String segmentId, String event, String data) {
    SegmentInfoEvent.Builder info = SegmentInfoEvent.newBuilder().setSegmentId(segmentId).setEvent(event);
    if (data != null) {
      info.setData(data);
    }
    return StreamEvent.newBuilder().setSessionId(SESSION).setSegmentInfo(info).build();
  }

  static StreamEvent stop(String segmentId) {
    return StreamEvent.newBuilder().setSessionId(SESSION)
        .setSegmentStop(SegmentStopEvent.newBuilder().setSegmentId(segmentId)).build();
  }

  /** 100 ms of mu-law (800 bytes) cycling through every code, offset so that chunks differ. */
  static byte[] everyCode(int offset, int length) {
    byte[] payload = new byte[length];
    for (int i = 0; i < length; i++) {
      payload[i] = (byte) (i + offset);
    }
    return payload;
  }
}
