package dev.callstream.spring.boot.internal;

import dev.callstream.server.CallStreamEndpoint;
import jakarta.servlet.ServletContext;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerContainer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.web.context.ServletContextAware;

/**
 * Deploys the endpoint in the servlet container's Jakarta WebSocket runtime. Not earlier than
 * {@link #afterSingletonsInstantiated()}: the container (Tomcat's {@code WsSci}, Jetty's
 * initializer) puts its {@link ServerContainer} into the servlet context while the context starts,
 * which in an embedded server happens after the filters were registered and before the singletons
 * are created.
 */
public final class EndpointDeployer implements ServletContextAware, SmartInitializingSingleton {
  private static final Logger LOG = LoggerFactory.getLogger(EndpointDeployer.class);

  private final CallStreamEndpoint endpoint;
  private ServletContext servletContext;

  public EndpointDeployer(CallStreamEndpoint endpoint) {
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
    if (!(container instanceof ServerContainer serverContainer)) {
      throw new IllegalStateException("callstream: the servlet container has no Jakarta WebSocket runtime"
          + " (attribute " + ServerContainer.class.getName() + " is missing): use Tomcat with"
          + " tomcat-embed-websocket (in spring-boot-starter-tomcat) or Jetty with"
          + " jetty-ee10-websocket-jakarta-server");
    }
    try {
      serverContainer.addEndpoint(endpoint.endpointConfig());
    } catch (DeploymentException e) {
      throw new IllegalStateException("callstream: cannot deploy the endpoint at " + endpoint.path(), e);
    }
    LOG.info("callstream: receiving call streams at WebSocket path {}", endpoint.path());
  }
}
