package dev.callstream.testkit.junit5;

import dev.callstream.core.CallStreamListener;
import dev.callstream.server.CallStreamServer;
import dev.callstream.testkit.FakeEngageVoice;
import dev.callstream.testkit.Pacing;
import dev.callstream.testkit.RecordingListener;
import dev.callstream.transport.Tls;
import java.net.URI;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Starts a {@link CallStreamServer} on 127.0.0.1, port 0, with a self-signed TLS certificate, and a
 * {@link FakeEngageVoice} pointed at it that trusts exactly that certificate; closes both after the
 * test.
 *
 * <pre>{@code
 * class MyListenerTest {
 *   @RegisterExtension
 *   final CallStreamExtension callStream = CallStreamExtension.builder().build();
 *
 *   @Test
 *   void recordsACall() {
 *     callStream.platform().play(CallScript.builder().maxDuration(Duration.ofSeconds(1)).build());
 *     assertThat(callStream.recorder().awaitEnd("call-1", Duration.ofSeconds(5)).reason()).isEqualTo(EndReason.STOPPED);
 *   }
 * }
 * }</pre>
 *
 * <p>Registered on an instance field, each test gets its own server, sender and
 * {@link RecordingListener}; on a {@code static} field, the test class shares them. Tests may also
 * declare parameters of type {@link CallStreamServer}, {@link FakeEngageVoice} or
 * {@link RecordingListener}.
 *
 * <p>By default the server's listeners come from a fresh {@link RecordingListener} and the sender
 * paces {@link Pacing#FLOOD} (tests should not wait for real time); both can be changed on the
 * {@link Builder}.
 */
public final class CallStreamExtension
    extends ServerExtension<CallStreamServer, FakeEngageVoice, CallStreamServer.Builder, FakeEngageVoice.Builder> {

  private CallStreamExtension(Builder config) {
    super(config.settings, CallStreamServer.class, FakeEngageVoice.class);
  }

  /** A builder with the defaults described on the class. */
  public static Builder builder() {
    return new Builder();
  }

  /** The running server. */
  public CallStreamServer server() {
    return runningServer();
  }

  /** A sender pointed at {@link #server()}, trusting its certificate. */
  public FakeEngageVoice platform() {
    return runningPlatform();
  }

  /** The server's {@code wss://127.0.0.1:PORT/}. */
  public URI uri() {
    return server().uri();
  }

  @Override
  CallStreamServer startServer(CallStreamListener.Factory factory) {
    CallStreamServer.Builder serverBuilder = CallStreamServer.builder()
        .host("127.0.0.1")
        .port(0)
        .tls(settings.tls)
        .listenerFactory(factory);
    settings.serverOptions.accept(serverBuilder);
    return serverBuilder.build().start();
  }

  @Override
  FakeEngageVoice startPlatform(CallStreamServer server) {
    FakeEngageVoice.Builder sender = FakeEngageVoice.builder(server.uri()).pacing(Pacing.FLOOD);
    if (server.tls().secure()) {
      sender.sslContext(server.tls().clientContext());
    }
    settings.senderOptions.accept(sender);
    return sender.build();
  }

  /** Configures a {@link CallStreamExtension}. Not thread-safe. */
  public static final class Builder {
    private final ExtensionSettings<CallStreamServer.Builder, FakeEngageVoice.Builder> settings =
        new ExtensionSettings<>();

    private Builder() {}

    /** The server's TLS; default {@link Tls#selfSigned()}. {@link Tls#none()} serves plain ws. */
    public Builder tls(Tls tls) {
      settings.tls(tls);
      return this;
    }

    /**
     * Uses the caller's listeners instead of a {@link RecordingListener}; the supplier is asked
     * once per server start (per test, or per class).
     */
    public Builder listenerFactory(Supplier<CallStreamListener.Factory> listenerFactory) {
      settings.listenerFactory(listenerFactory);
      return this;
    }

    /**
     * Further server settings (authenticator, limits...), applied after host 127.0.0.1, port 0,
     * TLS and listener factory.
     */
    public Builder server(Consumer<CallStreamServer.Builder> serverOptions) {
      settings.serverOptions(serverOptions);
      return this;
    }

    /** Further sender settings (pacing, faults, secret, seed...), applied after the defaults. */
    public Builder sender(Consumer<FakeEngageVoice.Builder> senderOptions) {
      settings.senderOptions(senderOptions);
      return this;
    }

    public CallStreamExtension build() {
      return new CallStreamExtension(this);
    }
  }
}
