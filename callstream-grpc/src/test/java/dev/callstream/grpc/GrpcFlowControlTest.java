package dev.callstream.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callstream.core.AudioFrame;
import dev.callstream.core.CallSession;
import dev.callstream.core.CallStreamListener;
import dev.callstream.core.EndReason;
import dev.callstream.grpc.proto.ParticipantType;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class GrpcFlowControlTest {

  @Test
  void aSlowListenerMakesTheClientNotReadyAndNothingIsDropped() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    List<Long> sequences = Collections.synchronizedList(new ArrayList<>());
    CompletableFuture<EndReason> end = new CompletableFuture<>();
    CallStreamListener.Factory factory = info -> new CallStreamListener() {
      @Override
      public void onAudio(CallSession session, AudioFrame frame) {
        try {
          // blocks the call's lane until the client has met back-pressure
          if (!release.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("never released");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        sequences.add(frame.sequence());
      }

      @Override
      public void onEnd(CallSession session, EndReason reason, Throwable cause) {
        end.complete(reason);
      }
    };
    try (GrpcHarness grpc = GrpcHarness.plaintext(factory, b -> b.callBuffer(16).flowControlWindow(65535))) {
      GrpcHarness.ClientStream stream = grpc.open();
      stream.send(RingCx.dialogInit("slow"), RingCx.segmentStart("a", ParticipantType.AGENT));
      int sent = 0;
      boolean blocked = false;
      // 800-byte chunks: the server's buffer (16) plus the HTTP/2 windows hold a few hundred
      while (sent < 5000) {
        if (!stream.awaitReady(2000)) {
          blocked = true;
          break;
        }
        sent++;
        stream.send(RingCx.media("a", sent, RingCx.everyCode(sent, 800)));
      }
      assertThat(blocked).as("the client met back-pressure after " + sent + " chunks").isTrue();
      assertThat(sent).isLessThan(1000);
      assertThat(sequences).as("the listener is still blocked on its first frame").isEmpty();

      release.countDown();
      assertThat(stream.awaitReady(10_000)).isTrue();
      for (int i = 0; i < 100; i++) {
        sent++;
        stream.send(RingCx.media("a", sent, RingCx.everyCode(sent, 800)));
      }
      stream.send(RingCx.stop("a"));
      stream.halfClose();
      assertThat(stream.awaitStatus().getCode()).isEqualTo(Status.Code.OK);
      assertThat(end.get(10, TimeUnit.SECONDS)).isEqualTo(EndReason.STOPPED);
      assertThat(sequences).hasSize(sent);
      for (int i = 0; i < sent; i++) {
        assertThat(sequences.get(i)).isEqualTo(i + 1L);
      }
    }
  }
}
