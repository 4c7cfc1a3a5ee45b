package dev.callstream.containers.tomcat;

import dev.callstream.containers.ContainerScenarios;
import dev.callstream.containers.ServletContainer;
import dev.callstream.containers.ServletContainer.Deployment;
import dev.callstream.containers.ServletContainer.Running;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.http.HttpServlet;
import jakarta.websocket.server.ServerContainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.websocket.server.WsSci;

/**
 * The scenarios in embedded Tomcat 11: WebSocket support from {@link WsSci}, endpoints added and
 * filters registered (before Tomcat's own upgrade filter, as {@code isMatchAfter=false} puts them) by
 * an initializer, as an application's would.
 */
class TomcatEndpointTest extends ContainerScenarios {

  @Override
  protected ServletContainer container() {
    return new ServletContainer.Described("Tomcat 11", true, true, this::start);
  }

  private Running start(List<Deployment> deployments) throws Exception {
    Path base = Files.createTempDirectory(dir, "tomcat");
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(base.toString());
    Connector connector = new Connector();
    connector.setPort(0);
    connector.setProperty("address", "127.0.0.1");
    tomcat.setConnector(connector);
    Context context = tomcat.addContext("", base.toString());
    // Tomcat's leak detection needs --add-opens to inspect JDK internals; without it, it warns per stop.
    ((StandardContext) context).setClearReferencesRmiTargets(false);
    ((StandardContext) context).setClearReferencesThreadLocals(false);
    context.addServletContainerInitializer(new WsSci(), null);
    context.addServletContainerInitializer((classes, servletContext) -> {
      ServerContainer container = (ServerContainer) servletContext.getAttribute(ServerContainer.class.getName());
      int n = 0;
      for (Deployment deployment : deployments) {
        if (deployment.addEndpoint()) {
          try {
            container.addEndpoint(deployment.endpoint().endpointConfig());
          } catch (jakarta.websocket.DeploymentException e) {
            throw new jakarta.servlet.ServletException(e);
          }
        }
        if (deployment.filter()) {
          FilterRegistration.Dynamic filter = servletContext.addFilter("callstream-" + n++,
              deployment.endpoint().handshakeFilter());
          filter.setAsyncSupported(true);
          filter.addMappingForUrlPatterns(null, false, deployment.endpoint().path());
        }
      }
    }, null);
    // Tomcat runs filters only for requests mapped to a servlet.
    Tomcat.addServlet(context, "default", new HttpServlet() {
      private static final long serialVersionUID = 1L;
    });
    context.addServletMappingDecoded("/", "default");
    tomcat.start();
    return Running.of(connector.getLocalPort(), () -> {
      tomcat.stop();
      tomcat.destroy();
    });
  }
}
