package dev.callstream.grpc.internal;

import dev.callstream.core.CallInfo;
import dev.callstream.core.Secrets;
import dev.callstream.core.Transport;
import dev.callstream.grpc.proto.StreamingGrpc;
import dev.callstream.transport.Authenticator;
import dev.callstream.transport.Handshake;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the {@link Authenticator} to a stream's request metadata before the call is admitted and
 * before any event is read; a refused stream is closed with {@code UNAUTHENTICATED} and nothing
 * reaches the listener factory. Never logs the presented value.
 *
 * <p>The authenticator sees the metadata as a {@link Handshake} (path = the RPC's full name, no
 * query, headers = the metadata's text keys). gRPC has no later moment to present a credential
 * (WebSocket's Start metadata), so a {@link Authenticator.Decision#VERIFY_AT_START} is settled at
 * once: the {@code authorization} value ({@code Bearer S} or {@code S}) is offered to
 * {@link Authenticator#onStart} as the {@code secret} field; without one the stream is refused.
 */
final class AuthorizationInterceptor implements ServerInterceptor {
  private static final Logger log = LoggerFactory.getLogger(AuthorizationInterceptor.class);
  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  static final String PATH = "/" + StreamingGrpc.getStreamMethod().getFullMethodName();

  private final Authenticator authenticator;
  private final Runnable onRefused;

  AuthorizationInterceptor(Authenticator authenticator, Runnable onRefused) {
    this.authenticator = authenticator;
    this.onRefused = onRefused;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    List<String> presented = new ArrayList<>(1);
    Iterable<String> values = headers.getAll(AUTHORIZATION);
    if (values != null) {
      values.forEach(presented::add);
    }
    boolean accepted;
    try {
      accepted = accepts(headers, presented, remote(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR)));
    } catch (RuntimeException e) {
      log.warn("authenticator failed; stream refused", e);
      accepted = false;
    }
    if (!accepted) {
      log.info("stream refused: {} authorization", presented.isEmpty() ? "missing" : "wrong");
      onRefused.run();
      call.close(Status.UNAUTHENTICATED.withDescription(
          presented.isEmpty() ? "authorization required" : "authorization not accepted"), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    return next.startCall(call, headers);
  }

  private boolean accepts(Metadata headers, List<String> presented, String remoteAddress) {
    Map<String, List<String>> map = new LinkedHashMap<>();
    for (String key : headers.keys()) {
      if (!key.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
        Iterable<String> all = headers.getAll(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER));
        List<String> list = new ArrayList<>();
        if (all != null) {
          all.forEach(list::add);
        }
        map.put(key, list);
      }
    }
    Handshake handshake = new Handshake(PATH, null, callInfo(headers), map, remoteAddress);
    Authenticator.Decision decision = authenticator.onHandshake(handshake);
    if (decision == Authenticator.Decision.ACCEPT) {
      return true;
    }
    if (decision != Authenticator.Decision.VERIFY_AT_START || presented.isEmpty()) {
      return false;
    }
    boolean ok = true;
    for (String value : presented) {
      ok &= authenticator.onStart(handshake.info(), Map.of("secret", bare(value)));
    }
    return ok;
  }

  /** {@code S} from {@code Bearer S} (scheme matched ignoring case), else the value trimmed. */
  static String bare(String value) {
    String trimmed = value.trim();
    if (trimmed.length() > 7 && trimmed.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
      return trimmed.substring(7).trim();
    }
    return trimmed;
  }

  /**
   * The call's info at admission: the request metadata a listener may see (text keys, lower case,
   * first value), without gRPC's own headers and without any key that names a secret
   * ({@link Secrets#isSecretKey}: {@code authorization}, {@code secret}, {@code token}...).
   */
  static CallInfo callInfo(Metadata headers) {
    Map<String, String> parameters = new LinkedHashMap<>();
    for (String key : headers.keys()) {
      String lower = key.toLowerCase(Locale.ROOT);
      if (lower.endsWith(Metadata.BINARY_HEADER_SUFFIX) || lower.startsWith("grpc-") || lower.startsWith(":")
          || Secrets.isSecretKey(lower) || lower.equals("content-type") || lower.equals("te")) {
        continue;
      }
      String value = headers.get(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER));
      if (value != null) {
        parameters.putIfAbsent(lower, value);
      }
    }
    return CallInfo.of(Transport.GRPC, parameters);
  }

  private static String remote(SocketAddress address) {
    return address instanceof InetSocketAddress inet && inet.getAddress() != null
        ? inet.getAddress().getHostAddress() : null;
  }
}
