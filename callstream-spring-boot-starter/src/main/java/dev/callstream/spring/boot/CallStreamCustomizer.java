package dev.callstream.spring.boot;

import dev.callstream.core.recording.CallRecorder;
import dev.callstream.server.CallStreamEndpoint;

/**
 * Adjusts what the auto-configuration builds, after the {@code callstream.*} properties are applied:
 * declare beans of this type (ordered by {@link org.springframework.core.annotation.Order}).
 *
 * <pre>{@code
 * @Bean
 * CallStreamCustomizer bigQueues() {
 *   return new CallStreamCustomizer() {
 *     public void endpoint(CallStreamEndpoint.Builder builder) { builder.queueCapacity(5000); }
 *   };
 * }
 * }</pre>
 *
 * Called once each, at startup, on the thread creating the beans.
 */
public interface CallStreamCustomizer {

  /** Customizes the endpoint deployed on the application's server. */
  default void endpoint(CallStreamEndpoint.Builder builder) {}

  /** Customizes the recorder (only when {@code callstream.recordings} is set). */
  default void recorder(CallRecorder.Builder builder) {}
}
