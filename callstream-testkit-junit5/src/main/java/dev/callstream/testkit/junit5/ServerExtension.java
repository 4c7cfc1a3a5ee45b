package dev.callstream.testkit.junit5;

import dev.callstream.core.CallStreamListener;
import dev.callstream.testkit.RecordingListener;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The lifecycle shared by {@link CallStreamExtension} and {@link CallStreamGrpcExtension}: per test
 * or (on a static field) per class, start a server of type {@code S} with a listener factory and a
 * fake platform of type {@code P} pointed at it, resolve them (and the recorder) as test parameters,
 * and close both afterwards. The subclasses only say how their kind of server and fake is built.
 */
abstract class ServerExtension<S extends AutoCloseable, P extends AutoCloseable, SB, PB>
    implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback, ParameterResolver {

  final ExtensionSettings<SB, PB> settings;
  private final Class<S> serverType;
  private final Class<P> platformType;
  private S server;
  private P platform;
  private RecordingListener recorder;
  private boolean perClass;

  ServerExtension(ExtensionSettings<SB, PB> settings, Class<S> serverType, Class<P> platformType) {
    this.settings = settings;
    this.serverType = serverType;
    this.platformType = platformType;
  }

  /**
   * Builds and starts the server on 127.0.0.1, port 0, with {@code settings.tls} and
   * {@code factory}, after applying {@code settings.serverOptions}.
   */
  abstract S startServer(CallStreamListener.Factory factory);

  /**
   * Builds the fake platform pointed at {@code server}, pacing {@code FLOOD} and trusting the
   * server's certificate, after applying {@code settings.senderOptions}.
   */
  abstract P startPlatform(S server);

  final S runningServer() {
    return started(server);
  }

  final P runningPlatform() {
    return started(platform);
  }

  /**
   * The recorder receiving the server's calls.
   *
   * @throws IllegalStateException when a custom listener factory was configured
   */
  public final RecordingListener recorder() {
    started(server);
    if (recorder == null) {
      throw new IllegalStateException("a custom listenerFactory is configured; there is no RecordingListener");
    }
    return recorder;
  }

  private <T> T started(T value) {
    if (value == null) {
      throw new IllegalStateException(
          getClass().getSimpleName() + " is not running (use it from a test or a @BeforeEach)");
    }
    return value;
  }

  @Override
  public final void beforeAll(ExtensionContext context) {
    perClass = true;
    start();
  }

  @Override
  public final void afterAll(ExtensionContext context) {
    stop();
  }

  @Override
  public final void beforeEach(ExtensionContext context) {
    if (!perClass) {
      start();
    }
  }

  @Override
  public final void afterEach(ExtensionContext context) {
    if (!perClass) {
      stop();
    }
  }

  private void start() {
    CallStreamListener.Factory factory;
    if (settings.listenerFactory != null) {
      factory = settings.listenerFactory.get();
      recorder = null;
    } else {
      recorder = new RecordingListener();
      factory = recorder;
    }
    server = startServer(factory);
    platform = startPlatform(server);
  }

  private void stop() {
    try {
      if (platform != null) {
        close(platform);
      }
    } finally {
      platform = null;
      if (server != null) {
        close(server);
      }
      server = null;
    }
  }

  /**
   * Both servers' and both fakes' {@code close()} declare no checked exception; the wrap only
   * satisfies {@link AutoCloseable#close()}'s signature, so that the public callbacks keep theirs.
   */
  private static void close(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public final boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == serverType || type == platformType || type == RecordingListener.class;
  }

  @Override
  public final Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    try {
      if (type == serverType) {
        return runningServer();
      }
      if (type == platformType) {
        return runningPlatform();
      }
      return recorder();
    } catch (IllegalStateException e) {
      throw new ParameterResolutionException(e.getMessage(), e);
    }
  }
}
