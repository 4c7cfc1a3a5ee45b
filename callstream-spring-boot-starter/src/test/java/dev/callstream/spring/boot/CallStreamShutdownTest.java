package dev.callstream.spring.boot;

import static dev.callstream.spring.boot.Recordings.callJson;
import static dev.callstream.spring.boot.Recordings.expectedPcm;
import static dev.callstream.spring.boot.Recordings.pcm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.callstream.server.CallStreamEndpoint;
import dev.callstream.testkit.AudioSource;
import dev.callstream.testkit.CallResult;
import dev.callstream.testkit.CallScript;
import dev.callstream.testkit.FakeEngageVoice;
import dev.callstream.testkit.HandshakeFailedException;
import dev.callstream.testkit.Pacing;
import dev.callstream.testkit.RecordingListener;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A Boot application on TLS of its own ({@code server.ssl.*} with PEM files: the endpoint is
 * {@code wss://}), shut down while a call streams: the drain refuses new calls with 503 but lets the
 * open call run to its end, so its recording is complete and bit-exact; the web server stops after.
 * (One application for both, as each start costs seconds.)
 */
class CallStreamShutdownTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @TempDir
  Path dir;

  private ConfigurableApplicationContext context;

  @AfterEach
  void closeApplication() {
    if (context != null) {
      context.close();
    }
  }

  @Test
  void overSpringsTlsShutdownLetsAnOpenCallFinishAndRefusesNewOnes() throws Exception {
    HeldCertificate certificate = new HeldCertificate.Builder().addSubjectAlternativeName("127.0.0.1").build();
    Path cert = Files.writeString(dir.resolve("cert.pem"), certificate.certificatePem());
    Path key = Files.writeString(dir.resolve("key.pem"), certificate.privateKeyPkcs8Pem());
    Path recordings = dir.resolve("recordings");
    context = new SpringApplicationBuilder(TestApplication.class)
        .properties("server.port=0", "server.address=127.0.0.1", "spring.main.banner-mode=off",
            "server.ssl.certificate=" + cert.toUri(), "server.ssl.certificate-private-key=" + key.toUri(),
            "callstream.recordings=" + recordings,
            "spring.lifecycle.timeout-per-shutdown-phase=20s")
        .run();
    int port = ((WebServerApplicationContext) context).getWebServer().getPort();
    URI uri = URI.create("wss://127.0.0.1:" + port + "/");
    HandshakeCertificates trust = new HandshakeCertificates.Builder()
        .addTrustedCertificate(certificate.certificate()).build();
    CallStreamEndpoint endpoint = context.getBean(CallStreamEndpoint.class);
    RecordingListener userListener = context.getBean(RecordingListener.class);

    AudioSource agent = AudioSource.speechLike(7).limit(Duration.ofSeconds(3));
    AudioSource conference = AudioSource.speechLike(8).limit(Duration.ofSeconds(3));
    try (FakeEngageVoice platform = FakeEngageVoice.builder(uri).sslContext(trust.sslContext()).pacing(Pacing.REALTIME)
        .retryBackoff(Duration.ofMillis(50)).build()) {
      CompletableFuture<CallResult> open = platform.start(
          CallScript.builder().callId("open").sessionId("1").agent(agent).conference(conference).build());
      // the call is up: admitted, and the application's listener created for it
      await().atMost(TIMEOUT).until(() -> endpoint.activeCalls() == 1 && userListener.calls() == 1);

      CompletableFuture<Void> shutdown = CompletableFuture.runAsync(context::close);
      await().atMost(TIMEOUT).until(endpoint::draining);
      assertThat(open).as("the open call goes on while the application drains").isNotDone();

      CallResult late = platform.play(CallScript.builder().callId("late").maxDuration(Duration.ofMillis(200)).build());
      assertThat(late.failure()).isInstanceOf(HandshakeFailedException.class);
      assertThat(((HandshakeFailedException) late.failure()).status()).isEqualTo(503);

      CallResult call = open.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      assertThat(call.completed()).as("%s", call.failure()).isTrue();
      assertThat(call.closeCode()).isEqualTo(1000);
      shutdown.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);

      Path folder = recordings.resolve("open-1");
      JsonNode json = callJson(folder);
      assertThat(json.get("endReason").asText()).isEqualTo("stopped");
      assertThat(json.get("complete").asBoolean()).isTrue();
      assertThat(pcm(folder.resolve("agent.wav"))).isEqualTo(expectedPcm(agent, call.agent()));
      assertThat(pcm(folder.resolve("conference.wav"))).isEqualTo(expectedPcm(conference, call.conference()));
      assertThat(recordings.resolve("late-1")).doesNotExist();
    }
  }
}
