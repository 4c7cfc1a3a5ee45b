package dev.callstream.spring.boot;

import dev.callstream.core.CallStreamListener;
import dev.callstream.core.recording.CallRecorder;
import dev.callstream.server.CallStreamEndpoint;
import dev.callstream.spring.boot.internal.DrainLifecycle;
import dev.callstream.spring.boot.internal.WebSocketRuntimeCheck;
import dev.callstream.transport.Authenticator;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.Filter;
import jakarta.websocket.server.ServerContainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;

/**
 * Receives Engage Voice call streams on the application's own servlet web server (Tomcat or
 * Jetty), when the application has a {@link CallStreamListener.Factory} bean or sets
 * {@code callstream.recordings}:
 * <ul>
 *   <li>a {@link CallStreamEndpoint} at {@code callstream.path} whose listeners come from every
 *       {@code CallStreamListener.Factory} bean (in their order) and, with
 *       {@code callstream.recordings}, a {@link CallRecorder} writing to that directory (first);
 *   <li>its handshake filter at that path, which answers refused upgrades with HTTP 401 (wrong
 *       secret) or 503 (full, draining) as {@code callstream record} does and performs the others
 *       through the container's Jakarta WebSocket runtime;
 *   <li>the application's {@link Authenticator} bean, else one from {@code callstream.secrets};
 *   <li>metrics on the application's {@link MeterRegistry}, when it has one;
 *   <li>the {@code callstream} health component, when Spring Boot's health support is present;
 *   <li>a drain at shutdown before the web server stops, bounded by
 *       {@code spring.lifecycle.timeout-per-shutdown-phase} ({@code server.shutdown=immediate}: open
 *       calls end at once with {@code shutdown}).
 * </ul>
 * Needs no Tyrus or Grizzly: the container's own Jakarta WebSocket runtime serves the calls.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({CallStreamEndpoint.class, ServerContainer.class, Filter.class})
@ConditionalOnProperty(prefix = "callstream", name = "enabled", havingValue = "true", matchIfMissing = true)
@Conditional(CallStreamAutoConfiguration.ListenerOrRecordings.class)
@EnableConfigurationProperties(CallStreamProperties.class)
public class CallStreamAutoConfiguration {
  private static final Logger LOG = LoggerFactory.getLogger(CallStreamAutoConfiguration.class);

  /** Deploys when the application has a listener factory, or asks for recordings, or both. */
  static final class ListenerOrRecordings extends AnyNestedCondition {
    ListenerOrRecordings() {
      super(ConfigurationPhase.REGISTER_BEAN);
    }

    @ConditionalOnBean(CallStreamListener.Factory.class)
    static final class HasListenerFactory {}

    @ConditionalOnProperty(prefix = "callstream", name = "recordings")
    static final class HasRecordings {}
  }

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  CallStreamEndpoint callStreamEndpoint(CallStreamProperties properties,
      ObjectProvider<CallStreamListener.Factory> listenerFactories, ObjectProvider<Authenticator> authenticators,
      ObjectProvider<CallStreamCustomizer> customizers) {
    List<CallStreamListener.Factory> factories = new ArrayList<>();
    if (properties.getRecordings() != null) {
      factories.add(recorder(properties.getRecordings(), customizers));
    }
    listenerFactories.orderedStream().forEach(factories::add);
    List<String> secrets = properties.effectiveSecrets();
    Authenticator authenticator = authenticators.getIfUnique();
    if (authenticator == null) {
      authenticator = secrets.isEmpty() ? Authenticator.NONE : Authenticator.secrets(secrets);
    } else if (!secrets.isEmpty()) {
      LOG.warn("callstream: callstream.secrets is set but the application's Authenticator bean decides instead");
    }
    CallStreamEndpoint.Builder builder = CallStreamEndpoint.builder()
        .path(properties.getPath())
        .listenerFactory(CallStreamListener.Factory.all(factories.toArray(CallStreamListener.Factory[]::new)))
        .authenticator(authenticator)
        .maxCalls(properties.getMaxCalls());
    if (properties.getMaxMessageBytes() != null) {
      builder.maxMessageBytes(properties.getMaxMessageBytes());
    }
    if (properties.getIdleTimeout() != null) {
      builder.idleTimeout(properties.getIdleTimeout());
    }
    customizers.orderedStream().forEach(customizer -> customizer.endpoint(builder));
    return builder.build();
  }

  /**
   * Creates the directory, finishes recordings that a crash left open (as {@code callstream record}
   * does at start), and builds the recorder.
   */
  private static CallRecorder recorder(Path directory, ObjectProvider<CallStreamCustomizer> customizers) {
    try {
      Files.createDirectories(directory);
      int repaired = CallRecorder.repair(directory);
      if (repaired > 0) {
        LOG.info("callstream: repaired {} interrupted recording(s) in {}", repaired, directory);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("callstream.recordings is not a usable directory: " + directory, e);
    }
    CallRecorder.Builder builder = CallRecorder.builder(directory);
    customizers.orderedStream().forEach(customizer -> customizer.recorder(builder));
    LOG.info("callstream: recording calls to {}", directory.toAbsolutePath());
    return builder.build();
  }

  @Bean
  FilterRegistrationBean<Filter> callStreamHandshakeFilter(CallStreamEndpoint endpoint) {
    FilterRegistrationBean<Filter> registration = new FilterRegistrationBean<>(endpoint.handshakeFilter());
    registration.setName("callstreamHandshake");
    registration.addUrlPatterns(endpoint.path());
    // before any other filter: an upgrade it refuses or performs must not reach the application's
    registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
    registration.setAsyncSupported(true);
    return registration;
  }

  @Bean
  WebSocketRuntimeCheck callStreamWebSocketRuntimeCheck(CallStreamEndpoint endpoint) {
    return new WebSocketRuntimeCheck(endpoint);
  }

  @Bean
  DrainLifecycle callStreamDrain(CallStreamEndpoint endpoint, Environment environment) {
    Binder binder = Binder.get(environment);
    Duration phase = binder.bind("spring.lifecycle.timeout-per-shutdown-phase", Duration.class)
        .orElse(Duration.ofSeconds(30));
    boolean graceful = !"immediate".equalsIgnoreCase(binder.bind("server.shutdown", String.class).orElse("graceful"));
    return new DrainLifecycle(endpoint, DrainLifecycle.drainTimeout(phase, graceful));
  }

  /** Call metrics on the application's registry (a unique or primary one). */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(MeterRegistry.class)
  static class Metrics {
    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    CallStreamCustomizer callStreamMetrics(ObjectProvider<MeterRegistry> registry) {
      return new CallStreamCustomizer() {
        @Override
        public void endpoint(CallStreamEndpoint.Builder builder) {
          registry.ifUnique(builder::meterRegistry);
        }

        @Override
        public void recorder(CallRecorder.Builder builder) {
          registry.ifUnique(builder::meterRegistry);
        }
      };
    }
  }

  /** The {@code callstream} health component. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(HealthIndicator.class)
  @ConditionalOnEnabledHealthIndicator("callstream")
  static class Health {
    @Bean
    @ConditionalOnMissingBean(name = "callstreamHealthIndicator")
    CallStreamHealthIndicator callstreamHealthIndicator(CallStreamEndpoint endpoint, CallStreamProperties properties) {
      return new CallStreamHealthIndicator(endpoint, properties.getMaxCalls());
    }
  }
}
