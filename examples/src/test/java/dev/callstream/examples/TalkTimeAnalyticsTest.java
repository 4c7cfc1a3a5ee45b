package dev.callstream.examples;

import static dev.callstream.examples.MulawReference.concat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.callstream.examples.TalkTimeAnalytics.Summary;
import dev.callstream.testkit.AudioSource;
import dev.callstream.testkit.CallResult;
import dev.callstream.testkit.CallScript;
import dev.callstream.testkit.FakeEngageVoice;
import dev.callstream.testkit.Fault;
import dev.callstream.testkit.Pacing;
import dev.callstream.testkit.junit5.CallStreamExtension;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TalkTimeAnalyticsTest {
  private static final Duration TOLERANCE = Duration.ofMillis(100);

  private final BlockingQueue<Summary> summaries = new LinkedBlockingQueue<>();

  @RegisterExtension
  final CallStreamExtension callStream = CallStreamExtension.builder()
      .listenerFactory(() -> TalkTimeAnalytics.factory((session, summary) -> summaries.add(summary)))
      .build();

  @Test
  void measuresTalkTimeOvertalkAndTheLongestSilenceFromTheAudio() throws Exception {
    // Speech is a loud tone; "silence" is a faint hum like line noise, which must not count as speech.
    AudioSource agent = concat(voice(300, 2000), hum(1500), hum(2000), voice(300, 1000));
    AudioSource caller = concat(hum(2000), hum(1500), voice(500, 2000), voice(500, 1000));

    CallResult call = callStream.platform().play(CallScript.builder().agent(agent).conference(caller).build());

    assertThat(call.completed()).isTrue();
    Summary summary = summaries.poll(10, TimeUnit.SECONDS);
    assertThat(summary).isNotNull();
    assertThat(summary.agentTalk()).isCloseTo(Duration.ofMillis(3000), TOLERANCE);
    assertThat(summary.callerTalk()).isCloseTo(Duration.ofMillis(3000), TOLERANCE);
    assertThat(summary.overtalk()).isCloseTo(Duration.ofMillis(1000), TOLERANCE);
    assertThat(summary.longestSilence()).isCloseTo(Duration.ofMillis(1500), TOLERANCE);
  }

  @Test
  void framesThatNeverArrivedCountAsSilence() throws Exception {
    AudioSource agent = voice(300, 4000);
    AudioSource caller = hum(4000);

    CallResult call;
    try (FakeEngageVoice lossy = FakeEngageVoice.builder(callStream.uri())
        .sslContext(callStream.server().tls().clientContext())
        .pacing(Pacing.FLOOD)
        .faults(Fault.DROP).faultRate(0.1).seed(3)
        .build()) {
      call = lossy.play(CallScript.builder().agent(agent).conference(caller).build());
    }

    assertThat(call.completed()).isTrue();
    int dropped = call.agent().dropped().size();
    assertThat(dropped).isPositive();
    Summary summary = summaries.poll(10, TimeUnit.SECONDS);
    assertThat(summary).isNotNull();
    assertThat(summary.agentTalk()).isEqualTo(Duration.ofMillis(20L * (200 - dropped)));
    assertThat(summary.callerTalk()).isZero();
    assertThat(summary.overtalk()).isZero();
  }

  private static AudioSource voice(double hertz, long millis) {
    return AudioSource.tone(hertz, 0.3).limit(Duration.ofMillis(millis));
  }

  private static AudioSource hum(long millis) {
    return AudioSource.tone(50, 0.003).limit(Duration.ofMillis(millis));
  }
}
