package dev.callstream.grpc.internal;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses a stream whose {@code authorization} metadata the check does not accept with
 * {@code UNAUTHENTICATED}, before the call is admitted and before any event is read (nothing reaches
 * the listener factory). Never logs the presented value.
 */
final class AuthorizationInterceptor implements ServerInterceptor {
  private static final Logger log = LoggerFactory.getLogger(AuthorizationInterceptor.class);
  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final AuthorizationCheck check;
  private final Runnable onRefused;

  AuthorizationInterceptor(AuthorizationCheck check, Runnable onRefused) {
    this.check = check;
    this.onRefused = onRefused;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    Iterable<String> presented = headers.getAll(AUTHORIZATION);
    List<String> values = new ArrayList<>(1);
    if (presented != null) {
      presented.forEach(values::add);
    }
    boolean accepted;
    try {
      accepted = check.accepts(values);
    } catch (RuntimeException e) {
      log.warn("authorization check failed; stream refused", e);
      accepted = false;
    }
    if (!accepted) {
      log.info("stream refused: {} authorization", values.isEmpty() ? "missing" : "wrong");
      onRefused.run();
      call.close(Status.UNAUTHENTICATED.withDescription(
          values.isEmpty() ? "authorization required" : "authorization not accepted"), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    return next.startCall(call, headers);
  }
}
