package dev.callstream.testkit.junit5;

import dev.callstream.core.CallStreamListener;
import dev.callstream.server.CallStreamServer;
import dev.callstream.testkit.FakeEngageVoice;
import dev.callstream.testkit.Pacing;
import dev.callstream.testkit.RecordingListener;
import dev.callstream.transport.Tls;
import java.net.URI;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

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
    implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback, ParameterResolver {

  private final Builder config;
  private CallStreamServer server;
  private FakeEngageVoice platform;
  private RecordingListener recorder;
  private boolean perClass;

  private CallStreamExtension(Builder config) {
    this.config = config;
  }

  /** A builder with the defaults described on the class. */
  public static Builder builder() {
    return new Builder();
  }

  /** The running server. */
  public CallStreamServer server() {
    return started(server);
  }

  /** A sender pointed at {@link #server()}, trusting its certificate. */
  public FakeEngageVoice platform() {
    return started(platform);
  }

  /**
   * The recorder receiving the server's calls.
   *
   * @throws IllegalStateException when a custom listener factory was configured
   */
  public RecordingListener recorder() {
    started(server);
    if (recorder == null) {
      throw new IllegalStateException("a custom listenerFactory is configured; there is no RecordingListener");
    }
    return recorder;
  }

  /** The server's {@code wss://127.0.0.1:PORT/}. */
  public URI uri() {
    return server().uri();
  }

  private <T> T started(T value) {
    if (value == null) {
      throw new IllegalStateException("CallStreamExtension is not running (use it from a test or a @BeforeEach)");
    }
    return value;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    perClass = true;
    start();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    stop();
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    if (!perClass) {
      start();
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (!perClass) {
      stop();
    }
  }

  private void start() {
    CallStreamListener.Factory factory;
    if (config.listenerFactory != null) {
      factory = config.listenerFactory.get();
      recorder = null;
    } else {
      recorder = new RecordingListener();
      factory = recorder;
    }
    CallStreamServer.Builder serverBuilder = CallStreamServer.builder()
        .host("127.0.0.1")
        .port(0)
        .tls(config.tls)
        .listenerFactory(factory);
    config.serverOptions.accept(serverBuilder);
    server = serverBuilder.build().start();
    FakeEngageVoice.Builder sender = FakeEngageVoice.builder(server.uri()).pacing(Pacing.FLOOD);
    if (server.tls().secure()) {
      sender.sslContext(server.tls().clientContext());
    }
    config.senderOptions.accept(sender);
    platform = sender.build();
  }

  private void stop() {
    try {
      if (platform != null) {
        platform.close();
      }
    } finally {
      platform = null;
      if (server != null) {
        server.close();
      }
      server = null;
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == CallStreamServer.class || type == FakeEngageVoice.class || type == RecordingListener.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    try {
      if (type == CallStreamServer.class) {
        return server();
      }
      if (type == FakeEngageVoice.class) {
        return platform();
      }
      return recorder();
    } catch (IllegalStateException e) {
      throw new ParameterResolutionException(e.getMessage(), e);
    }
  }

  /** Configures a {@link CallStreamExtension}. Not thread-safe. */
  public static final class Builder {
    private Tls tls = Tls.selfSigned();
    private Supplier<CallStreamListener.Factory> listenerFactory;
    private Consumer<CallStreamServer.Builder> serverOptions = server -> {};
    private Consumer<FakeEngageVoice.Builder> senderOptions = sender -> {};

    private Builder() {}

    /** The server's TLS; default {@link Tls#selfSigned()}. {@link Tls#none()} serves plain ws. */
    public Builder tls(Tls tls) {
      this.tls = Objects.requireNonNull(tls, "tls");
      return this;
    }

    /**
     * Uses the caller's listeners instead of a {@link RecordingListener}; the supplier is asked
     * once per server start (per test, or per class).
     */
    public Builder listenerFactory(Supplier<CallStreamListener.Factory> listenerFactory) {
      this.listenerFactory = Objects.requireNonNull(listenerFactory, "listenerFactory");
      return this;
    }

    /**
     * Further server settings (authenticator, limits...), applied after host 127.0.0.1, port 0,
     * TLS and listener factory.
     */
    public Builder server(Consumer<CallStreamServer.Builder> serverOptions) {
      this.serverOptions = Objects.requireNonNull(serverOptions, "serverOptions");
      return this;
    }

    /** Further sender settings (pacing, faults, secret, seed...), applied after the defaults. */
    public Builder sender(Consumer<FakeEngageVoice.Builder> senderOptions) {
      this.senderOptions = Objects.requireNonNull(senderOptions, "senderOptions");
      return this;
    }

    public CallStreamExtension build() {
      return new CallStreamExtension(this);
    }
  }
}
