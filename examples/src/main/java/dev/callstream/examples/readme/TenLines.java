package dev.callstream.examples.readme;

import dev.callstream.core.AudioFrame;
import dev.callstream.core.CallSession;
import dev.callstream.core.CallStreamListener;
import dev.callstream.core.EndReason;
import dev.callstream.server.CallStreamServer;
import dev.callstream.transport.Tls;

/**
 * The README's "Ten lines", compiled: the region between the {@code readme:} markers is the README's
 * block, character for character ({@code ReadmeSnippetsTest} compares them, and
 * {@code ReadmeRunTest} runs the same lines against a fake platform). Runnable as it is:
 * {@code mvn -q -pl examples -am package -DskipTests exec:java -Dexec.mainClass=dev.callstream.examples.readme.TenLines}.
 */
public final class TenLines {

  private TenLines() {}

  public static void main(String[] args) throws InterruptedException {
    // readme:begin ten-lines
    CallStreamServer.builder().tls(Tls.selfSigned())                 // wss://127.0.0.1:3333/, a generated certificate
        .listenerFactory(info -> new CallStreamListener() {          // one listener per call
          @Override public void onAudio(CallSession call, AudioFrame frame) {
            short[] pcm = frame.samples();                           // 20 ms of 8 kHz audio, in order
          }
          @Override public void onEnd(CallSession call, EndReason reason, Throwable cause) {
            System.out.println(call.callId() + " ended: " + reason);
          }
        })
        .build().start().awaitTermination();                         // serves until the JVM stops (Ctrl-C)
    // readme:end ten-lines
  }
}
