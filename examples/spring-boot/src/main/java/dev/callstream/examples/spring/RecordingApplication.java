package dev.callstream.examples.spring;

import dev.callstream.core.AudioChannel;
import dev.callstream.core.CallSession;
import dev.callstream.core.CallStreamListener;
import dev.callstream.core.EndReason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * A Spring Boot application that receives Engage Voice call streams on its own port (CONTRACTS.md
 * section 9):
 *
 * <pre>
 * java -jar callstream-spring-example.jar --server.port=8080 --callstream.recordings=recordings
 * </pre>
 *
 * The starter (callstream-spring-boot-starter) does the rest: the endpoint at {@code ws://HOST:PORT/},
 * recordings, {@code --callstream.secrets=S}, {@code /actuator/health} and
 * {@code /actuator/prometheus} (see application.properties). The application itself only declares
 * what to do with each call: here, log its start and end.
 */
@SpringBootApplication
public class RecordingApplication {

  public static void main(String[] args) {
    SpringApplication.run(RecordingApplication.class, args);
  }

  /** One listener per call; the starter combines it with the recorder. */
  @Bean
  CallStreamListener.Factory callLog() {
    return info -> new CallLog();
  }

  /** Logs a line when a call starts and one when it ends, with how much audio each side sent. */
  static final class CallLog implements CallStreamListener {
    private static final Logger LOG = LoggerFactory.getLogger(CallLog.class);

    @Override
    public void onStart(CallSession session) {
      LOG.info("call started {}-{}", session.callId(), session.sessionId());
    }

    @Override
    public void onEnd(CallSession session, EndReason reason, Throwable cause) {
      LOG.info("call ended {}-{} {} agent={} frames conference={} frames", session.callId(), session.sessionId(),
          reason.name().toLowerCase(java.util.Locale.ROOT), session.stats(AudioChannel.AGENT).frames(),
          session.stats(AudioChannel.CONFERENCE).frames());
    }
  }
}
