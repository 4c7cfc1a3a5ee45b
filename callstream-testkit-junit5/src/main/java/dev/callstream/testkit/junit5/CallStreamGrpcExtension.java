package dev.callstream.testkit.junit5;

import dev.callstream.core.CallStreamListener;
import dev.callstream.grpc.CallStreamGrpcServer;
import dev.callstream.testkit.FakeRingCx;
import dev.callstream.testkit.Pacing;
import dev.callstream.testkit.RecordingListener;
import dev.callstream.transport.Tls;
import java.net.URI;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The gRPC sibling of {@link CallStreamExtension}: starts a {@link CallStreamGrpcServer} on
 * 127.0.0.1, port 0, with a self-signed TLS certificate, and a {@link FakeRingCx} pointed at it that
 * trusts exactly that certificate; closes both after the test.
 *
 * <pre>{@code
 * class MyListenerTest {
 *   @RegisterExtension
 *   final CallStreamGrpcExtension ringCx = CallStreamGrpcExtension.builder().build();
 *
 *   @Test
 *   void recordsACall() {
 *     ringCx.platform().play(RingCxScript.builder().maxDuration(Duration.ofSeconds(1)).build());
 *     assertThat(ringCx.recorder().takeStart().callId()).isEqualTo("dialog-1");
 *   }
 * }
 * }</pre>
 *
 * <p>Registered on an instance field, each test gets its own server, fake and
 * {@link RecordingListener}; on a {@code static} field, the test class shares them. Tests may also
 * declare parameters of type {@link CallStreamGrpcServer}, {@link FakeRingCx} or
 * {@link RecordingListener}.
 *
 * <p>By default the server's listeners come from a fresh {@link RecordingListener} and the fake paces
 * {@link Pacing#FLOOD} (tests should not wait for real time); both can be changed on the
 * {@link Builder}.
 */
public final class CallStreamGrpcExtension
    extends ServerExtension<CallStreamGrpcServer, FakeRingCx, CallStreamGrpcServer.Builder, FakeRingCx.Builder> {

  private CallStreamGrpcExtension(Builder config) {
    super(config.settings, CallStreamGrpcServer.class, FakeRingCx.class);
  }

  /** A builder with the defaults described on the class. */
  public static Builder builder() {
    return new Builder();
  }

  /** The running server. */
  public CallStreamGrpcServer server() {
    return runningServer();
  }

  /** A fake RingCX pointed at {@link #server()}, trusting its certificate. */
  public FakeRingCx platform() {
    return runningPlatform();
  }

  /** The server's {@code grpcs://127.0.0.1:PORT} (or {@code grpc://} with {@link Tls#none()}). */
  public URI uri() {
    return server().uri();
  }

  @Override
  CallStreamGrpcServer startServer(CallStreamListener.Factory factory) {
    CallStreamGrpcServer.Builder serverBuilder = CallStreamGrpcServer.builder()
        .host("127.0.0.1")
        .port(0)
        .tls(settings.tls)
        .listenerFactory(factory);
    settings.serverOptions.accept(serverBuilder);
    return serverBuilder.build().start();
  }

  @Override
  FakeRingCx startPlatform(CallStreamGrpcServer server) {
    FakeRingCx.Builder fake = FakeRingCx.builder(server.uri()).pacing(Pacing.FLOOD);
    if (server.tls().secure()) {
      if (server.tls().certificate() == null) {
        throw new IllegalStateException("the server's certificate is unknown (Tls.of(SSLContext)): "
            + "configure the fake's trust with sender(b -> b.channelCredentials(...))");
      }
      fake.trustCertificates(server.tls().certificate());
    }
    settings.senderOptions.accept(fake);
    return fake.build();
  }

  /** Configures a {@link CallStreamGrpcExtension}. Not thread-safe. */
  public static final class Builder {
    private final ExtensionSettings<CallStreamGrpcServer.Builder, FakeRingCx.Builder> settings =
        new ExtensionSettings<>();

    private Builder() {}

    /** The server's TLS; default {@link Tls#selfSigned()}. {@link Tls#none()} serves plaintext HTTP/2. */
    public Builder tls(Tls tls) {
      settings.tls(tls);
      return this;
    }

    /**
     * Uses the caller's listeners instead of a {@link RecordingListener}; the supplier is asked once
     * per server start (per test, or per class).
     */
    public Builder listenerFactory(Supplier<CallStreamListener.Factory> listenerFactory) {
      settings.listenerFactory(listenerFactory);
      return this;
    }

    /**
     * Further server settings (secrets, limits...), applied after host 127.0.0.1, port 0, TLS and
     * listener factory.
     */
    public Builder server(Consumer<CallStreamGrpcServer.Builder> serverOptions) {
      settings.serverOptions(serverOptions);
      return this;
    }

    /** Further fake settings (pacing, faults, secret, seed...), applied after the defaults. */
    public Builder sender(Consumer<FakeRingCx.Builder> senderOptions) {
      settings.senderOptions(senderOptions);
      return this;
    }

    public CallStreamGrpcExtension build() {
      return new CallStreamGrpcExtension(this);
    }
  }
}
