package dev.callstream.server.internal;

import jakarta.websocket.server.ServerEndpointConfig;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** The runtime behind {@code CallStreamEndpoint} (skeleton). */
public final class PortableEndpoint {
  private final PortableSettings settings;

  public PortableEndpoint(PortableSettings settings, Object meterRegistry) {
    this.settings = settings;
  }

  public ServerEndpointConfig endpointConfig() {
    throw new UnsupportedOperationException("not yet");
  }

  public jakarta.servlet.Filter handshakeFilter() {
    throw new UnsupportedOperationException("not yet");
  }

  public int activeCalls() {
    return 0;
  }

  public boolean draining() {
    return false;
  }

  public CompletableFuture<Void> drain(Duration timeout) {
    return CompletableFuture.completedFuture(null);
  }
}
