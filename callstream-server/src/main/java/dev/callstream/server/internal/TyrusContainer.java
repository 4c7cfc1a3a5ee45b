package dev.callstream.server.internal;

import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.Map;
import java.util.Set;
import org.glassfish.tyrus.core.TyrusWebSocketEngine;
import org.glassfish.tyrus.server.TyrusServerContainer;
import org.glassfish.tyrus.spi.WebSocketEngine;

/** Tyrus's server container without any HTTP server of its own: our Grizzly filter drives its engine. */
final class TyrusContainer extends TyrusServerContainer {
  private final TyrusWebSocketEngine engine;

  TyrusContainer(int incomingBufferSize) {
    super((Set<Class<?>>) null);
    this.engine = TyrusWebSocketEngine.builder(this).incomingBufferSize(incomingBufferSize).build();
  }

  @Override
  public void register(Class<?> endpointClass) throws DeploymentException {
    engine.register(endpointClass, "");
  }

  @Override
  public void register(ServerEndpointConfig config) throws DeploymentException {
    engine.register(config, "");
  }

  @Override
  public Map<String, Object> getProperties() {
    return Map.of();
  }

  @Override
  public WebSocketEngine getWebSocketEngine() {
    return engine;
  }
}
