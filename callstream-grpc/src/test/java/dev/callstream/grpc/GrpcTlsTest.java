package dev.callstream.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callstream.core.EndReason;
import dev.callstream.grpc.proto.ParticipantType;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.List;
import java.util.concurrent.TimeUnit;
import dev.callstream.transport.Tls;
import dev.callstream.transport.TlsMaterial;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;

class GrpcTlsTest {

  @Test
  void aCallOverTlsWithASecretIsReceived() throws Exception {
    try (GrpcHarness grpc = GrpcHarness.tls(b -> b.secrets(List.of("s3cret")))) {
      assertThat(grpc.server.tls().selfSigned()).isTrue();
      assertThat(grpc.server.tls().sha256Fingerprint()).isNotBlank();
      assertThat(grpc.server.uri().toString()).isEqualTo("grpcs://127.0.0.1:" + grpc.server.port());
      GrpcHarness.ClientStream stream = grpc.open("Bearer s3cret");
      stream.send(RingCx.dialogInit("dialog-tls"), RingCx.segmentStart("a", ParticipantType.AGENT),
          RingCx.media("a", 1, RingCx.everyCode(0, 800)), RingCx.stop("a"));
      stream.halfClose();
      assertThat(stream.awaitStatus().getCode()).isEqualTo(Status.Code.OK);
      RecordingCallListener call = grpc.listeners.next();
      assertThat(call.awaitEnd()).isEqualTo(EndReason.STOPPED);
      assertThat(call.frames).hasSize(1);
      assertThat(call.frames.get(0).payload()).isEqualTo(RingCx.everyCode(0, 800));
    }
  }

  @Test
  void aCallerSslContextWorksToo() throws Exception {
    TlsMaterial material = Tls.selfSigned().load("127.0.0.1");
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(material.keyManagerFactory().getKeyManagers(), null, null);
    try (GrpcHarness grpc = GrpcHarness.tls(b -> b.tls(Tls.of(context)), material.certificateChain().get(0))) {
      assertThat(grpc.server.uri().getScheme()).isEqualTo("grpcs");
      GrpcHarness.ClientStream stream = grpc.open();
      stream.send(RingCx.dialogInit("dialog-ctx"));
      stream.halfClose();
      assertThat(stream.awaitStatus().getCode()).isEqualTo(Status.Code.OK);
      assertThat(grpc.listeners.next().awaitEnd()).isEqualTo(EndReason.CLOSED);
    }
  }

  @Test
  void aPlaintextClientCannotTalkToATlsServer() throws Exception {
    try (GrpcHarness grpc = GrpcHarness.tls(b -> b)) {
      ManagedChannel plain = NettyChannelBuilder.forAddress("127.0.0.1", grpc.server.port()).usePlaintext().build();
      try {
        GrpcHarness.ClientStream stream = new GrpcHarness.ClientStream();
        dev.callstream.grpc.proto.StreamingGrpc.newStub(plain).stream(stream);
        stream.send(RingCx.dialogInit("d"));
        stream.halfClose();
        assertThat(stream.awaitStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(grpc.listeners.created).isEmpty();
      } finally {
        plain.shutdownNow();
        plain.awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }
}
