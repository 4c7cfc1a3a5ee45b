package dev.callstream.spring.boot.internal;

import dev.callstream.server.CallStreamEndpoint;
import jakarta.servlet.ServletContext;
import jakarta.websocket.server.ServerContainer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.web.context.ServletContextAware;

/**
 * Checks at startup that the servlet container has a Jakarta WebSocket runtime, which the endpoint's
 * handshake filter upgrades calls with ({@code ServerContainer.upgradeHttpToWebSocket}), so that a
 * container without one fails at once rather than answering every call with 500.
 *
 * <p>The endpoint is deliberately not also added with {@code ServerContainer.addEndpoint}: Jetty's
 * own upgrade filter runs before every application filter and would upgrade such a path itself,
 * turning the filter's HTTP 401 and 503 into 1008 and 1013 closes; with the filter alone both
 * Tomcat and Jetty answer refusals as {@code callstream record} does.
 *
 * <p>Not earlier than {@link #afterSingletonsInstantiated()}: the container (Tomcat's
 * {@code WsSci}, Jetty's initializer) puts its {@link ServerContainer} into the servlet context while
 * the context starts, which in an embedded server happens after the filters were registered and
 * before the singletons are created.
 */
public final class WebSocketRuntimeCheck implements ServletContextAware, SmartInitializingSingleton {
  private static final Logger LOG = LoggerFactory.getLogger(WebSocketRuntimeCheck.class);

  private final CallStreamEndpoint endpoint;
  private ServletContext servletContext;

  public WebSocketRuntimeCheck(CallStreamEndpoint endpoint) {
    this.endpoint = endpoint;
  }

  @Override
  public void setServletContext(ServletContext servletContext) {
    this.servletContext = servletContext;
  }

  @Override
  public void afterSingletonsInstantiated() {
    if (servletContext == null) {
      throw new IllegalStateException("callstream: no servlet context to deploy " + endpoint + " in");
    }
    Object container = servletContext.getAttribute(ServerContainer.class.getName());
    if (!(container instanceof ServerContainer)) {
      throw new IllegalStateException("callstream: the servlet container has no Jakarta WebSocket runtime"
          + " (attribute " + ServerContainer.class.getName() + " is missing): use Tomcat with"
          + " tomcat-embed-websocket (in spring-boot-starter-tomcat) or Jetty with"
          + " jetty-ee10-websocket-jakarta-server");
    }
    LOG.info("callstream: receiving call streams at WebSocket path {}", endpoint.path());
  }
}
