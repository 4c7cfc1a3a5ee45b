package dev.callstream.examples.readme;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.callstream.core.AudioFrame;
import dev.callstream.core.CallSession;
import dev.callstream.core.CallStreamListener;
import dev.callstream.core.EndReason;
import dev.callstream.core.recording.CallRecorder;
import dev.callstream.grpc.CallStreamGrpcServer;
import dev.callstream.server.CallStreamServer;
import dev.callstream.testkit.CallResult;
import dev.callstream.testkit.CallScript;
import dev.callstream.testkit.FakeEngageVoice;
import dev.callstream.testkit.FakeRingCx;
import dev.callstream.testkit.Pacing;
import dev.callstream.testkit.RingCxCallResult;
import dev.callstream.testkit.RingCxScript;
import dev.callstream.testkit.RingCxSegment;
import dev.callstream.transport.Tls;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the README's server and FakeRingCx blocks as written: each region between the {@code readme:}
 * markers below is the README's block character for character ({@link ReadmeSnippetsTest} checks).
 *
 * <p>How, without editing the lines: a field named like the class the snippet calls
 * ({@code CallStreamServer}, {@code CallStreamGrpcServer}, {@code FakeRingCx}) takes precedence over
 * the type in {@code CallStreamServer.builder()} (JLS 6.5.2), so the call goes to a shim. Each shim
 * hands the snippet the real builder's results but binds port 0 (tests never take 3333 or 10443),
 * records into a temporary folder instead of {@code ./recordings}, and lets the test reach the
 * server the snippet built, to play a call at it and close it. Types in declarations
 * ({@code CallStreamGrpcServer server}) are the real ones.
 */
class ReadmeRunTest {

  @TempDir
  Path recordings;

  private final CompletableFuture<dev.callstream.server.CallStreamServer> wssServer = new CompletableFuture<>();
  private final CompletableFuture<dev.callstream.grpc.CallStreamGrpcServer> grpcServer = new CompletableFuture<>();
  private volatile String grpcSecret;

  @SuppressWarnings("unused") // named like the class on purpose: see the class comment
  private final WssShim CallStreamServer = new WssShim();
  @SuppressWarnings("unused")
  private final GrpcShim CallStreamGrpcServer = new GrpcShim();
  @SuppressWarnings("unused")
  private final FakeRingCxShim FakeRingCx = new FakeRingCxShim();

  @Test
  void tenLinesServesUntilClosedAndSeesAWholeCall() throws Exception {
    CompletableFuture<Void> snippet = CompletableFuture.runAsync(() -> {
      try {
        tenLines();
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    dev.callstream.server.CallStreamServer server = wssServer.get(30, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(30)).until(server::ready);

    // closeTimeout: the server's close reply may be slow on a loaded host; without it the call would
    // end with no close code instead of the 1000 checked below
    try (FakeEngageVoice platform = FakeEngageVoice.builder(server.uri())
        .sslContext(server.tls().clientContext()).pacing(Pacing.FLOOD).closeTimeout(Duration.ofSeconds(60)).build()) {
      CallResult call = platform.play(CallScript.builder().callId("readme-1").maxDuration(ofSeconds(1)).build());
      assertThat(call.completed()).as("call: %s", call.failure()).isTrue();
      assertThat(call.closeCode()).isEqualTo(1000); // both Stops reached the snippet's server
    }
    assertThat(snippet).isNotDone(); // awaitTermination() keeps the snippet's thread serving

    server.close();
    snippet.get(30, TimeUnit.SECONDS); // and returns once the server is closed
  }

  private void tenLines() throws InterruptedException {
    // readme:begin ten-lines
    CallStreamServer.builder().tls(Tls.selfSigned())                 // wss://127.0.0.1:3333/, a generated certificate
        .listenerFactory(info -> new CallStreamListener() {          // one listener per call
          @Override public void onAudio(CallSession call, AudioFrame frame) {
            short[] pcm = frame.samples();                           // 20 ms of 8 kHz audio, in order
          }
          @Override public void onEnd(CallSession call, EndReason reason, Throwable cause) {
            System.out.println(call.callId() + " ended: " + reason);
          }
        })
        .build().start().awaitTermination();                         // serves until the JVM stops (Ctrl-C)
    // readme:end ten-lines
  }

  @Test
  void grpcTenLinesRecordsTheFakeRingCxSnippetsCall() throws Exception {
    CompletableFuture<Void> snippet = CompletableFuture.runAsync(() -> {
      try {
        grpcTenLines();
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    dev.callstream.grpc.CallStreamGrpcServer server = grpcServer.get(30, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(30)).until(server::ready);

    fakeRingCx();
    await().atMost(Duration.ofSeconds(30)).until(() -> callJsonEnded(recordings));
    try (Stream<Path> files = Files.walk(recordings)) {
      assertThat(files.map(path -> path.getFileName().toString()))
          .contains("agent.wav", "conference.wav", "stereo.wav", "segment-c1.wav", "segment-a1.wav");
    }
    try (Stream<Path> files = Files.walk(recordings)) {
      // the client half-closed after both SegmentStops: the call ended as stopped, not cut
      Path callJson = files.filter(path -> path.getFileName().toString().equals("call.json")).findFirst().orElseThrow();
      assertThat(new ObjectMapper().readTree(callJson.toFile()).path("endReason").asText()).isEqualTo("stopped");
    }
    assertThat(snippet).isNotDone();

    server.close();
    snippet.get(30, TimeUnit.SECONDS);
  }

  private void grpcTenLines() throws InterruptedException {
    // readme:begin grpc-ten-lines
    try (CallStreamGrpcServer server = CallStreamGrpcServer.builder()
        .port(10443)                                                  // RingCX: host("0.0.0.0"), port 443 or 10443
        .tls(Tls.selfSigned())                                        // RingCX: Tls.pem(chain, key) that it trusts
        .secrets(List.of(System.getenv().getOrDefault("STREAM_SECRET", "change-me")))   // "Bearer S" or "S"
        .listenerFactory(CallRecorder.create(Path.of("recordings")))  // or your CallStreamListener.Factory
        .build()
        .start()) {
      System.out.println("listening on " + server.uri());            // grpcs://127.0.0.1:10443
      server.awaitTermination();                                      // serves until closed (or Ctrl-C)
    }
    // readme:end grpc-ten-lines
  }

  private void fakeRingCx() {
    // readme:begin fake-ringcx
    try (FakeRingCx ringCx = FakeRingCx.builder(URI.create("grpcs://127.0.0.1:10443")).insecure(true).build()) {
      RingCxCallResult call = ringCx.play(RingCxScript.builder()   // ofSeconds: static import of Duration.ofSeconds
          .segment(RingCxSegment.contact("c1").build())
          .segment(RingCxSegment.agent("a1").joinAt(ofSeconds(2)).hold(ofSeconds(4), ofSeconds(6)).build())
          .maxDuration(ofSeconds(10)).build());
      System.out.println(call.status() + ", " + call.mediaSent() + " chunks sent");   // OK, 180 chunks sent
    }
    // readme:end fake-ringcx
  }

  private static boolean callJsonEnded(Path dir) throws java.io.IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(path -> path.getFileName().toString().equals("call.json")).findFirst()
          .map(path -> {
            try {
              return new ObjectMapper().readTree(path.toFile()).path("endReason").isTextual();
            } catch (java.io.IOException e) { // being replaced atomically: look again
              return false;
            }
          }).orElse(false);
    }
  }

  // ---------------------------------------------------------------- shims (see the class comment)

  private final class WssShim {
    WssBuilder builder() {
      return new WssBuilder(dev.callstream.server.CallStreamServer.builder().port(0));
    }
  }

  private final class WssBuilder {
    private final dev.callstream.server.CallStreamServer.Builder real;

    WssBuilder(dev.callstream.server.CallStreamServer.Builder real) {
      this.real = real;
    }

    WssBuilder tls(Tls tls) {
      real.tls(tls);
      return this;
    }

    WssBuilder listenerFactory(CallStreamListener.Factory factory) {
      real.listenerFactory(factory);
      return this;
    }

    dev.callstream.server.CallStreamServer build() {
      dev.callstream.server.CallStreamServer server = real.build();
      wssServer.complete(server);
      return server;
    }
  }

  private final class GrpcShim {
    GrpcBuilder builder() {
      return new GrpcBuilder(dev.callstream.grpc.CallStreamGrpcServer.builder());
    }
  }

  private final class GrpcBuilder {
    private final dev.callstream.grpc.CallStreamGrpcServer.Builder real;

    GrpcBuilder(dev.callstream.grpc.CallStreamGrpcServer.Builder real) {
      this.real = real;
    }

    GrpcBuilder port(int port) {
      real.port(0); // not the snippet's 10443: tests bind port 0
      return this;
    }

    GrpcBuilder tls(Tls tls) {
      real.tls(tls);
      return this;
    }

    GrpcBuilder secrets(Collection<String> secrets) {
      real.secrets(secrets);
      grpcSecret = secrets.iterator().next();
      return this;
    }

    GrpcBuilder listenerFactory(CallStreamListener.Factory factory) {
      real.listenerFactory(CallRecorder.create(recordings)); // not ./recordings
      return this;
    }

    dev.callstream.grpc.CallStreamGrpcServer build() {
      dev.callstream.grpc.CallStreamGrpcServer server = real.build();
      grpcServer.complete(server);
      return server;
    }
  }

  private final class FakeRingCxShim {
    dev.callstream.testkit.FakeRingCx.Builder builder(URI target) {
      dev.callstream.grpc.CallStreamGrpcServer server = grpcServer.getNow(null);
      assertThat(target).isEqualTo(URI.create("grpcs://127.0.0.1:10443"));
      return dev.callstream.testkit.FakeRingCx.builder(server.uri()) // the snippet server's real port
          .secret(grpcSecret).pacing(Pacing.FLOOD);
    }
  }
}
