package dev.callstream.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class FakeRingCxTlsTest {
  private static final RingCxScript SHORT_CALL = RingCxScript.builder().maxDuration(Duration.ofMillis(300)).build();

  private static RingCxCallResult play(TestCertificate serverCertificate, java.util.function.Consumer<FakeRingCx.Builder> options)
      throws Exception {
    try (RawGrpcReceiver receiver = new RawGrpcReceiver(serverCertificate.serverCredentials(), 1024 * 1024)) {
      FakeRingCx.Builder builder = FakeRingCx.builder(URI.create("grpcs://127.0.0.1:" + receiver.port())).pacing(Pacing.FLOOD);
      options.accept(builder);
      try (FakeRingCx ringCx = builder.build()) {
        RingCxCallResult result = ringCx.play(SHORT_CALL);
        if (result.completed()) {
          assertThat(receiver.awaitEndedCall(Duration.ofSeconds(10)).end).isEqualTo("completed");
        }
        return result;
      }
    }
  }

  @Test
  void insecureTrustsAnyCertificateForAnyName() throws Exception {
    RingCxCallResult result = play(TestCertificate.forName("somewhere.invalid"), b -> b.insecure(true));
    assertThat(result.completed()).isTrue();
    assertThat(result.status()).isEqualTo(Status.Code.OK);
    assertThat(result.mediaSent()).isEqualTo(6);
  }

  @Test
  void aPinnedCertificateIsTrustedForItsOwnName() throws Exception {
    TestCertificate certificate = TestCertificate.forName("127.0.0.1");
    assertThat(play(certificate, b -> b.trustCertificates(certificate.certificate())).completed()).isTrue();
  }

  @Test
  void aPinnedCertificateForAnotherNameIsRefusedUnlessThatAuthorityIsClaimed() throws Exception {
    TestCertificate certificate = TestCertificate.forName("receiver.test");
    RingCxCallResult wrongName = play(certificate, b -> b.trustCertificates(certificate.certificate()));
    assertThat(wrongName.failed()).isTrue();
    assertThat(wrongName.status()).isEqualTo(Status.Code.UNAVAILABLE);

    RingCxCallResult claimed = play(certificate, b -> b.trustCertificates(certificate.certificate()).authority("receiver.test"));
    assertThat(claimed.completed()).isTrue();
  }

  @Test
  void theDefaultTrustStoreRefusesASelfSignedServer() throws Exception {
    RingCxCallResult result = play(TestCertificate.forName("127.0.0.1"), b -> {});
    assertThat(result.failed()).isTrue();
    assertThat(result.status()).isEqualTo(Status.Code.UNAVAILABLE);
  }
}
