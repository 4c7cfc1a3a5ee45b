package dev.callstream.spring.boot;

import static dev.callstream.spring.boot.Recordings.callJson;
import static dev.callstream.spring.boot.Recordings.expectedPcm;
import static dev.callstream.spring.boot.Recordings.pcm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.callstream.testkit.AudioSource;
import dev.callstream.testkit.CallResult;
import dev.callstream.testkit.CallScript;
import dev.callstream.testkit.FakeEngageVoice;
import dev.callstream.testkit.Fault;
import dev.callstream.testkit.HandshakeFailedException;
import dev.callstream.testkit.LoadResult;
import dev.callstream.testkit.Pacing;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.WebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.util.ClassUtils;

/**
 * The starter on embedded Jetty 12 (run by the surefire execution {@code jetty}, which leaves Tomcat
 * off the classpath): calls with faults recorded bit-exact, a wrong secret refused with HTTP 401
 * (Jetty's own upgrade filter does not get ahead of the handshake filter).
 */
class CallStreamJettyTest {
  @TempDir
  Path recordings;

  private ConfigurableApplicationContext context;

  @AfterEach
  void closeApplication() {
    if (context != null) {
      context.close();
    }
  }

  @Test
  void onJettyCallsAreRecordedBitExactAndAWrongSecretGets401() throws Exception {
    // a -Dtest=... selection also runs this class in the Tomcat execution: nothing to prove there
    assumeFalse(ClassUtils.isPresent("org.apache.catalina.startup.Tomcat", null), "Tomcat on the classpath");
    context = new SpringApplicationBuilder(TestApplication.class)
        .properties("server.port=0", "server.address=127.0.0.1", "spring.main.banner-mode=off",
            "callstream.secrets=right", "callstream.recordings=" + recordings)
        .run();
    WebServer server = ((WebServerApplicationContext) context).getWebServer();
    assertThat(server.getClass().getSimpleName()).startsWith("Jetty");
    URI uri = URI.create("ws://127.0.0.1:" + server.getPort() + "/");

    LoadResult load;
    try (FakeEngageVoice platform = FakeEngageVoice.builder(uri).secret("right").pacing(Pacing.FLOOD)
        .faults(Fault.DROP, Fault.DUPLICATE, Fault.REORDER).faultRate(0.03).seed(12).build()) {
      load = platform.run(2, CallStreamJettyTest::call);
    }
    assertThat(load.failedCalls()).as("%s", load.results()).isZero();
    for (CallResult call : load.results()) {
      Path folder = recordings.resolve(call.callId() + "-1");
      await().atMost(Duration.ofSeconds(30)).until(() -> Recordings.finished(folder));
      assertThat(callJson(folder).get("complete").asBoolean()).isTrue();
      CallScript script = call(call.index());
      assertThat(pcm(folder.resolve("agent.wav"))).isEqualTo(expectedPcm(script.agent(), call.agent()));
      assertThat(pcm(folder.resolve("conference.wav"))).isEqualTo(expectedPcm(script.conference(), call.conference()));
    }

    try (FakeEngageVoice platform = FakeEngageVoice.builder(uri).secret("wrong").pacing(Pacing.FLOOD).build()) {
      CallResult refused = platform.play(CallScript.builder().callId("intruder").maxDuration(Duration.ofMillis(200)).build());
      assertThat(refused.failure()).isInstanceOf(HandshakeFailedException.class);
      assertThat(((HandshakeFailedException) refused.failure()).status()).isEqualTo(401);
    }
    assertThat(recordings.resolve("intruder-1")).doesNotExist();
  }

  private static CallScript call(int index) {
    return CallScript.builder().index(index).callId("jetty" + index).sessionId("1")
        .agent(AudioSource.speechLike(70 + 2 * index).limit(Duration.ofSeconds(2)))
        .conference(AudioSource.speechLike(71 + 2 * index).limit(Duration.ofSeconds(2)))
        .build();
  }
}
