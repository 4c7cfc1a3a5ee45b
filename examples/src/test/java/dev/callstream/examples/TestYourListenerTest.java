package dev.callstream.examples;

import static dev.callstream.core.AudioChannel.AGENT;
import static dev.callstream.core.AudioChannel.CONFERENCE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.callstream.core.AudioChannel;
import dev.callstream.core.EndReason;
import dev.callstream.testkit.CallResult;
import dev.callstream.testkit.CallScript;
import dev.callstream.testkit.ChannelReport;
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

/**
 * How to test your own listener: the extension starts a real server (port 0, self-signed TLS) that
 * creates your listener for each call, and the testkit's fake platform plays calls at it, with the
 * faults you choose. Then assert what your listener saw against what the sender reports it sent.
 */
class TestYourListenerTest {
  private static final CallScript TWO_SECONDS = CallScript.builder().maxDuration(Duration.ofSeconds(2)).build();

  private final BlockingQueue<MyCallListener> listeners = new LinkedBlockingQueue<>();

  @RegisterExtension
  final CallStreamExtension callStream = CallStreamExtension.builder()
      .listenerFactory(() -> info -> {
        MyCallListener listener = new MyCallListener();
        listeners.add(listener);
        return listener;
      })
      .build();

  @Test
  void aCleanCallArrivesWholeAndInOrder() throws Exception {
    CallResult sent = callStream.platform().play(TWO_SECONDS);

    MyCallListener listener = endedListener();
    assertThat(listener.endReason()).isEqualTo(EndReason.STOPPED);
    for (AudioChannel side : AudioChannel.values()) {
      assertThat(listener.frames(side)).isEqualTo(sent.report(side).framesSent()).isEqualTo(100);
      assertThat(listener.missingFrames(side)).isZero();
    }
    assertThat(listener.inOrder()).isTrue();
  }

  @Test
  void droppedFramesReachTheListenerAsGaps() throws Exception {
    CallResult sent = playWith(Fault.DROP);

    MyCallListener listener = endedListener();
    assertThat(listener.endReason()).isEqualTo(EndReason.STOPPED);
    for (AudioChannel side : AudioChannel.values()) {
      ChannelReport report = sent.report(side);
      assertThat(report.dropped()).isNotEmpty();
      // A gap shows only once a later frame arrives: a drop of the very last frame is invisible.
      long visibleDrops = report.dropped().stream().filter(sequence -> sequence < report.framesPlanned()).count();
      assertThat(listener.missingFrames(side)).isEqualTo(visibleDrops);
      assertThat(listener.frames(side)).isEqualTo(report.framesSent());
    }
    assertThat(listener.inOrder()).isTrue();
  }

  @Test
  void reorderedFramesArePutBackInPlace() throws Exception {
    CallResult sent = playWith(Fault.REORDER);

    MyCallListener listener = endedListener();
    assertThat(listener.endReason()).isEqualTo(EndReason.STOPPED);
    assertThat(listener.inOrder()).isTrue();
    for (AudioChannel side : AudioChannel.values()) {
      assertThat(sent.report(side).reordered()).isNotEmpty();
      assertThat(listener.frames(side)).isEqualTo(sent.report(side).framesPlanned());
      assertThat(listener.missingFrames(side)).isZero();
      assertThat(listener.stats(side).reordered()).isEqualTo(sent.report(side).reordered().size());
    }
  }

  @Test
  void aConnectionCutMidCallEndsTheCallClosed() throws Exception {
    CallResult sent = playWith(Fault.ABORT);

    assertThat(sent.aborted()).isTrue();
    MyCallListener listener = endedListener();
    assertThat(listener.endReason()).isEqualTo(EndReason.CLOSED);
    assertThat(listener.inOrder()).isTrue();
    assertThat(listener.frames(AGENT)).isPositive().isLessThanOrEqualTo(sent.agent().framesSent());
    assertThat(listener.frames(CONFERENCE)).isPositive().isLessThanOrEqualTo(sent.conference().framesSent());
  }

  /** Plays {@link #TWO_SECONDS} from a sender of its own that injects {@code fault}, repeatably (seed). */
  private CallResult playWith(Fault fault) {
    try (FakeEngageVoice platform = FakeEngageVoice.builder(callStream.uri())
        .sslContext(callStream.server().tls().clientContext()) // trust the test server's certificate
        .pacing(Pacing.FLOOD)
        .faults(fault).faultRate(0.1).seed(42)
        .build()) {
      return platform.play(TWO_SECONDS);
    }
  }

  private MyCallListener endedListener() throws InterruptedException {
    MyCallListener listener = listeners.poll(10, TimeUnit.SECONDS);
    assertThat(listener).as("a call reached the server").isNotNull();
    assertThat(listener.awaitEnd(Duration.ofSeconds(10))).as("the call ended").isTrue();
    return listener;
  }
}
