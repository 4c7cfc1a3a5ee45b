package dev.callstream.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callstream.core.CallStreamListener;
import dev.callstream.server.CallStreamEndpoint;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

/** When the starter deploys nothing: an application must ask for calls, and be a servlet web application. */
class CallStreamConditionsTest {
  private final WebApplicationContextRunner web = new WebApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(CallStreamAutoConfiguration.class));

  @Test
  void withoutAListenerFactoryOrRecordingsNothingIsDeployed() {
    web.run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context).doesNotHaveBean(CallStreamEndpoint.class);
    });
  }

  @Test
  void callstreamEnabledFalseTurnsItOff() {
    web.withPropertyValues("callstream.enabled=false")
        .withBean(CallStreamListener.Factory.class, () -> CallStreamListener.Factory.NONE)
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(CallStreamEndpoint.class));
  }

  @Test
  void aNonWebApplicationGetsNoEndpoint() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(CallStreamAutoConfiguration.class))
        .withBean(CallStreamListener.Factory.class, () -> CallStreamListener.Factory.NONE)
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(CallStreamEndpoint.class));
  }

  @Test
  void aServletContainerWithoutJakartaWebSocketFailsStartupWithAClearMessage() {
    // the mock servlet context has no ServerContainer attribute, as a container without WebSocket support
    web.withBean(CallStreamListener.Factory.class, () -> CallStreamListener.Factory.NONE)
        .run(context -> assertThat(context).hasFailed().getFailure()
            .hasStackTraceContaining("has no Jakarta WebSocket runtime"));
  }
}
