package dev.callstream.grpc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.callstream.core.AudioFrame;
import dev.callstream.core.CallInfo;
import dev.callstream.core.CallSession;
import dev.callstream.core.CallStreamListener;
import dev.callstream.core.EndReason;
import dev.callstream.core.Transport;
import dev.callstream.grpc.proto.Account;
import dev.callstream.grpc.proto.AudioContent;
import dev.callstream.grpc.proto.Dialog;
import dev.callstream.grpc.proto.DialogInitEvent;
import dev.callstream.grpc.proto.Participant;
import dev.callstream.grpc.proto.ParticipantType;
import dev.callstream.grpc.proto.SegmentMediaEvent;
import dev.callstream.grpc.proto.SegmentStartEvent;
import dev.callstream.grpc.proto.SegmentStopEvent;
import dev.callstream.grpc.proto.StreamEvent;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A call's handling through the server's marshaller: frames in order, flow-control credit bounded. */
class ReceivePathTest {

  @Test
  void creditIsGivenBackInBatchesAndNeverExceedsTheBuffer() {
    List<AudioFrame> frames = new ArrayList<>();
    List<EndReason> ends = new ArrayList<>();
    CallStreamListener listener = new CallStreamListener() {
      @Override
      public void onAudio(CallSession session, AudioFrame frame) {
        frames.add(frame);
      }

      @Override
      public void onEnd(CallSession session, EndReason reason, Throwable cause) {
        ends.add(reason);
      }
    };
    int buffer = 8;
    try (ReceivePath path = ReceivePath.open(info -> listener, CallInfo.empty(Transport.GRPC), buffer)) {
      assertThat(path.requested()).isEqualTo(buffer);
      path.receive(StreamEvent.newBuilder().setSessionId("s").setDialogInit(DialogInitEvent.newBuilder()
          .setAccount(Account.newBuilder().setId("1")).setDialog(Dialog.newBuilder().setId("d"))).build().toByteArray());
      path.receive(StreamEvent.newBuilder().setSessionId("s").setSegmentStart(SegmentStartEvent.newBuilder()
          .setSegmentId("a").setParticipant(Participant.newBuilder().setId("p").setType(ParticipantType.AGENT)))
          .build().toByteArray());
      int handled = 2;
      for (int seq = 1; seq <= 100; seq++) {
        byte[] payload = new byte[800];
        payload[0] = (byte) seq;
        path.receive(StreamEvent.newBuilder().setSessionId("s").setSegmentMedia(SegmentMediaEvent.newBuilder()
            .setSegmentId("a").setAudioContent(AudioContent.newBuilder().setSeq(seq).setPayload(ByteString.copyFrom(payload))))
            .build().toByteArray());
        handled++;
        // requested and not yet handled: at most the buffer, more than half of it
        assertThat(path.requested() - handled).isBetween((long) buffer / 2 + 1, (long) buffer);
      }
      path.receive(StreamEvent.newBuilder().setSegmentStop(SegmentStopEvent.newBuilder().setSegmentId("a"))
          .build().toByteArray());
      path.halfClose();
      assertThat(path.status().getCode()).isEqualTo(Status.Code.OK);
    }
    assertThat(ends).containsExactly(EndReason.STOPPED);
    assertThat(frames).hasSize(100);
    for (int i = 0; i < 100; i++) {
      assertThat(frames.get(i).sequence()).isEqualTo(i + 1L);
      assertThat(frames.get(i).payload()[0]).isEqualTo((byte) (i + 1));
    }
  }
}
