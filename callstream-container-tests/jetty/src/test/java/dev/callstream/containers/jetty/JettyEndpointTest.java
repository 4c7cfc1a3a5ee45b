package dev.callstream.containers.jetty;

import dev.callstream.containers.ContainerScenarios;
import dev.callstream.containers.ServletContainer;
import dev.callstream.containers.ServletContainer.Deployment;
import dev.callstream.containers.ServletContainer.Running;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import java.util.EnumSet;
import java.util.List;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** The scenarios in embedded Jetty 12 (ee10): Jakarta WebSocket support configured on a servlet context. */
class JettyEndpointTest extends ContainerScenarios {

  @Override
  protected ServletContainer container() {
    return new ServletContainer.Described("Jetty 12 ee10", false, false, JettyEndpointTest::start);
  }

  private static Running start(List<Deployment> deployments) throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/");
    server.setHandler(context);
    JakartaWebSocketServletContainerInitializer.configure(context, (servletContext, container) -> {
      for (Deployment deployment : deployments) {
        if (deployment.addEndpoint()) {
          container.addEndpoint(deployment.endpoint().endpointConfig());
        }
      }
    });
    for (Deployment deployment : deployments) {
      if (deployment.filter()) {
        context.addFilter(new FilterHolder(deployment.endpoint().handshakeFilter()), deployment.endpoint().path(),
            EnumSet.of(DispatcherType.REQUEST));
      }
    }
    context.addServlet(new ServletHolder(new HttpServlet() {
      private static final long serialVersionUID = 1L;
    }), "/");
    server.start();
    return Running.of(connector.getLocalPort(), server::stop);
  }
}
