package dev.callstream.examples;

import dev.callstream.core.recording.CallRecorder;
import dev.callstream.server.CallStreamServer;
import dev.callstream.transport.Tls;
import java.nio.file.Path;

/**
 * Records every call to WAV files: a server whose listener factory is a {@link CallRecorder}.
 *
 * <p>Each call gets a folder {@code recordings/<callId>-<sessionId>/} with {@code agent.wav},
 * {@code conference.wav}, {@code stereo.wav} (8 kHz 16-bit PCM) and {@code call.json}. Runs until
 * Ctrl-C, which finishes the open recordings. Try it with the fake platform:
 * {@code java -jar callstream-cli/target/callstream.jar send --url wss://127.0.0.1:3333/ --insecure}.
 *
 * <p>Arguments: {@code [recordings-directory] [port]}, default {@code recordings 3333}.
 */
public final class RecordCalls {

  private RecordCalls() {}

  public static void main(String[] args) throws InterruptedException {
    Path recordings = Path.of(args.length > 0 ? args[0] : "recordings");
    int port = args.length > 1 ? Integer.parseInt(args[1]) : 3333;

    CallStreamServer server = start(port, recordings);
    System.out.println("listening on " + server.uri() + ", recording to " + recordings.toAbsolutePath());
    System.out.println("certificate SHA-256 " + server.tls().sha256Fingerprint());

    Runtime.getRuntime().addShutdownHook(new Thread(server::close)); // Ctrl-C: finish open recordings
    server.awaitTermination(); // serve until the hook has closed the server
  }

  /** Starts a server on 127.0.0.1 ({@code port} 0 picks a free one) that records every call. */
  public static CallStreamServer start(int port, Path recordings) {
    return CallStreamServer.builder()
        .port(port)
        // A certificate generated at start: fine on your machine. In production the platform needs a
        // certificate it trusts: Tls.pem(chain, key) or Tls.pkcs12(keystore, password).
        .tls(Tls.selfSigned())
        .listenerFactory(CallRecorder.create(recordings))
        .build()
        .start();
  }
}
