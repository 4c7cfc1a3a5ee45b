package dev.callstream.examples.readme;

import dev.callstream.core.recording.CallRecorder;
import dev.callstream.grpc.CallStreamGrpcServer;
import dev.callstream.server.CallStreamServer;
import dev.callstream.transport.Authenticator;
import dev.callstream.transport.Tls;
import java.nio.file.Path;
import java.util.List;

/**
 * The README's server blocks, compiled (regions between the {@code readme:} markers; compared with
 * the README by {@code ReadmeSnippetsTest}; the gRPC one also run by {@code ReadmeRunTest}).
 */
final class ServerSnippets {

  private ServerSnippets() {}

  static void production() throws InterruptedException {
    // readme:begin server-production
    try (CallStreamServer server = CallStreamServer.builder()
        .host("0.0.0.0").port(443)
        .tls(Tls.pem(Path.of("fullchain.pem"), Path.of("privkey.pem")))   // or pkcs12(...), of(sslContext)
        .authenticator(Authenticator.secrets(List.of(System.getenv("STREAM_SECRET"))))
        .listenerFactory(CallRecorder.create(Path.of("recordings")))
        .maxCalls(500)
        .build()
        .start()) {
      server.awaitTermination();   // until close() or drain(...) from another thread (a shutdown hook)
    }
    // readme:end server-production
  }

  static void grpc() throws InterruptedException {
    // readme:begin grpc-ten-lines
    try (CallStreamGrpcServer server = CallStreamGrpcServer.builder()
        .port(10443)                                                  // RingCX: host("0.0.0.0"), port 443 or 10443
        .tls(Tls.selfSigned())                                        // RingCX: Tls.pem(chain, key) that it trusts
        .secrets(List.of(System.getenv().getOrDefault("STREAM_SECRET", "change-me")))   // "Bearer S" or "S"
        .listenerFactory(CallRecorder.create(Path.of("recordings")))  // or your CallStreamListener.Factory
        .build()
        .start()) {
      System.out.println("listening on " + server.uri());            // grpcs://127.0.0.1:10443
      server.awaitTermination();                                      // serves until closed (or Ctrl-C)
    }
    // readme:end grpc-ten-lines
  }
}
