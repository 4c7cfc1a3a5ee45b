package dev.callstream.examples;

import dev.callstream.core.CallAdmission;
import dev.callstream.core.recording.CallRecorder;
import dev.callstream.grpc.CallStreamGrpcServer;
import dev.callstream.server.CallStreamServer;
import dev.callstream.transport.Tls;
import java.nio.file.Path;

/**
 * Records Engage Voice calls (WebSocket) and RingCX calls (gRPC) from one process into one folder:
 * one {@link CallRecorder} is the listener factory of both servers, and one {@link CallAdmission}
 * caps the calls of both together.
 *
 * <p>Try it with the fake platforms: {@code callstream.jar send --url wss://127.0.0.1:3333/ --insecure}
 * and {@code callstream.jar send --url grpcs://127.0.0.1:10443 --insecure}.
 *
 * <p>Arguments: {@code [recordings-directory] [websocket-port] [grpc-port]}, default
 * {@code recordings 3333 10443}.
 */
public final class RecordBothTransports {

  private RecordBothTransports() {}

  /** Both servers; closing closes both, each finishing its open recordings. */
  public record Servers(CallStreamServer webSocket, CallStreamGrpcServer grpc) implements AutoCloseable {
    @Override
    public void close() {
      try {
        webSocket.close();
      } finally {
        grpc.close();
      }
    }
  }

  public static void main(String[] args) throws InterruptedException {
    Path recordings = Path.of(args.length > 0 ? args[0] : "recordings");
    Servers servers = start(recordings,
        args.length > 1 ? Integer.parseInt(args[1]) : 3333, args.length > 2 ? Integer.parseInt(args[2]) : 10443);
    System.out.println("listening on " + servers.webSocket().uri() + " and " + servers.grpc().uri());
    Runtime.getRuntime().addShutdownHook(new Thread(servers::close)); // Ctrl-C: finish open recordings
    servers.webSocket().awaitTermination(); // serve until Ctrl-C has closed both
    servers.grpc().awaitTermination();
  }

  /** Starts both servers on 127.0.0.1 (port 0 picks a free one), recording into {@code recordings}. */
  public static Servers start(Path recordings, int webSocketPort, int grpcPort) {
    CallRecorder recorder = CallRecorder.create(recordings);
    CallAdmission admission = CallAdmission.limit(500); // 500 calls in all, whichever transport they use
    // Self-signed for your machine; the platforms need a certificate they trust: Tls.pem(...), Tls.pkcs12(...).
    CallStreamServer webSocket = CallStreamServer.builder()
        .port(webSocketPort).tls(Tls.selfSigned()).admission(admission).listenerFactory(recorder)
        .build().start();
    try {
      return new Servers(webSocket, CallStreamGrpcServer.builder()
          .port(grpcPort).tls(Tls.selfSigned()).admission(admission).listenerFactory(recorder)
          .build().start());
    } catch (RuntimeException e) {
      webSocket.close(); // the gRPC port was taken: do not leave the WebSocket server running
      throw e;
    }
  }
}
