package dev.callstream.server.reliability;

import dev.callstream.core.recording.CallRecorder;
import dev.callstream.server.CallStreamServer;
import dev.callstream.transport.Authenticator;
import dev.callstream.transport.Tls;
import java.nio.file.Path;
import java.util.List;

/**
 * A child-JVM server for {@link LogSecrecyTest}: records under {@code args[0]} with secret
 * {@code args[1]}, prints {@code listening on URI} and runs until its stdin closes.
 */
public final class LogProbeServer {
  private LogProbeServer() {}

  public static void main(String[] args) throws Exception {
    try (CallStreamServer server = CallStreamServer.builder().host("127.0.0.1").port(0).tls(Tls.none())
        .authenticator(Authenticator.secrets(List.of(args[1])))
        .listenerFactory(CallRecorder.create(Path.of(args[0])))
        .build().start()) {
      System.out.println("listening on " + server.uri());
      System.out.flush();
      while (System.in.read() >= 0) {
        // runs until the test closes our stdin
      }
    }
  }
}
