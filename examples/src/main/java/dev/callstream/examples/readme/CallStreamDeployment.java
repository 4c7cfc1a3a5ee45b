package dev.callstream.examples.readme;

import dev.callstream.core.recording.CallRecorder;
import dev.callstream.server.CallStreamEndpoint;
import dev.callstream.transport.Authenticator;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The README's servlet-container block, compiled (compared with the README by
 * {@code ReadmeSnippetsTest}; the container tests in callstream-container-tests deploy the endpoint
 * the same way on Tomcat and Jetty).
 */
// readme:begin servlet-container
public class CallStreamDeployment implements ServletContextListener {
  private final CallStreamEndpoint endpoint = CallStreamEndpoint.builder()
      .path("/callstream")                                                 // the profile's streamingUrl path
      .authenticator(Authenticator.secrets(List.of(System.getenv("STREAM_SECRET"))))
      .listenerFactory(CallRecorder.create(Path.of("recordings")))
      .build();

  @Override
  public void contextInitialized(ServletContextEvent event) {
    // the filter answers 401/503 and performs the upgrade itself: no addEndpoint needed
    FilterRegistration.Dynamic filter = event.getServletContext().addFilter("callstream", endpoint.handshakeFilter());
    filter.addMappingForUrlPatterns(null, false, endpoint.path());      // first in the chain
  }

  @Override
  public void contextDestroyed(ServletContextEvent event) {
    endpoint.drain(Duration.ofSeconds(30)).join();                       // before the container stops
  }
}
// readme:end servlet-container
