package dev.callstream.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.callstream.core.AudioFrame;
import dev.callstream.core.CallSession;
import dev.callstream.core.CallStreamListener;
import dev.callstream.core.EndReason;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A source stopped mid-call and started again, and a second consumer joining the group mid-way: each
 * call is completed exactly once, with exactly the live callbacks; calls cut short end once with
 * SHUTDOWN and are driven again from their start.
 */
class SourceRecoveryTest {
  static TestBroker broker;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = TestBroker.start();
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  private static Tracer publish(String topic, int calls, long seed) throws Exception {
    return publish(topic, calls, seed, 7);
  }

  private static Tracer publish(String topic, int calls, long seed, int step) throws Exception {
    broker.createTopic(topic, 2);
    Tracer live = new Tracer();
    try (KafkaCallPublisher publisher = KafkaCallPublisher.builder(broker.bootstrap()).topic(topic).start()) {
      LiveCalls.run(CallStreamListener.Factory.all(publisher, live), calls, 250, seed, step);
      assertThat(publisher.flush(Duration.ofSeconds(30))).isTrue();
    }
    return live;
  }

  /** Slows a first consumer down while {@code throttle} is set, so that it is found in the middle of calls. */
  private static CallStreamListener.Factory slow(AtomicInteger open, AtomicBoolean throttle, long nanosPerFrame) {
    return info -> new CallStreamListener() {
      @Override
      public void onStart(CallSession session) {
        open.incrementAndGet();
      }

      @Override
      public void onAudio(CallSession session, AudioFrame frame) {
        if (throttle.get()) {
          LockSupport.parkNanos(nanosPerFrame);
        }
      }

      @Override
      public void onEnd(CallSession session, EndReason reason, Throwable cause) {
        open.decrementAndGet();
      }
    };
  }

  @Test
  void aSourceStoppedMidCallAndRestartedCompletesEveryCallOnce() throws Exception {
    // lengths 250 to 500 frames: the calls end one after another
    Tracer live = publish("restart", 6, 5, 50);
    Tracer replay = new Tracer();
    AtomicInteger open = new AtomicInteger();
    AtomicBoolean throttle = new AtomicBoolean(true);
    Map<String, Integer> abandoned = new ConcurrentHashMap<>();
    CallStreamListener.Factory countAbandoned = info -> new CallStreamListener() {
      @Override
      public void onEnd(CallSession session, EndReason reason, Throwable cause) {
        if (cause instanceof CallAbandonedException) {
          assertThat(reason).isEqualTo(EndReason.SHUTDOWN);
          abandoned.merge(session.callId(), 1, Integer::sum);
        }
      }
    };
    try (KafkaCallSource first = KafkaCallSource.builder(broker.bootstrap(),
        CallStreamListener.Factory.all(replay, countAbandoned, slow(open, throttle, 1_000_000))).topic("restart").group("r")
        .start()) {
      await().atMost(Duration.ofSeconds(60)).until(() -> first.callsEnded() >= 1 && open.get() >= 1);
    }
    assertThat(abandoned).as("stopped in the middle of calls").isNotEmpty();
    try (KafkaCallSource second = KafkaCallSource.builder(broker.bootstrap(),
        CallStreamListener.Factory.all(replay, countAbandoned)).topic("restart").group("r").start()) {
      await().atMost(Duration.ofSeconds(60)).until(() -> replay.calls.size() == 6);
      // only the calls cut short are driven again: the ones that ended are skipped (commit metadata)
      assertThat(second.callsEnded()).isEqualTo(abandoned.size());
    }
    assertThat(replay.calls).isEqualTo(live.calls);
    replay.ends.forEach((call, ends) ->
        assertThat(ends).as(call).isEqualTo(1 + abandoned.getOrDefault(call, 0)));
  }

  @Test
  void aSecondConsumerJoiningMidWayTakesOverWithoutDoublingOrLosingAudio() throws Exception {
    Tracer live = publish("rebalance", 8, 17);
    Tracer replay = new Tracer();
    AtomicInteger open = new AtomicInteger();
    AtomicBoolean throttle = new AtomicBoolean(true);
    try (KafkaCallSource first = KafkaCallSource.builder(broker.bootstrap(),
        CallStreamListener.Factory.all(replay, slow(open, throttle, 3_000_000))).topic("rebalance").group("rb").start()) {
      await().atMost(Duration.ofSeconds(60)).until(() -> open.get() >= 1);
      try (KafkaCallSource second = KafkaCallSource.builder(broker.bootstrap(), replay)
          .topic("rebalance").group("rb").start()) {
        // the first consumer is slowed down until the newcomer has taken a partition over
        await().atMost(Duration.ofSeconds(60)).until(() -> second.records() > 0);
        assertThat(replay.calls).as("the takeover happened in the middle of calls").hasSizeLessThan(8);
        throttle.set(false);
        await().atMost(Duration.ofSeconds(90)).until(() -> replay.calls.size() == 8);
        assertThat(first.records()).isPositive();
      }
    }
    assertThat(replay.calls).isEqualTo(live.calls);
    assertThat(replay.ends.values()).allMatch(n -> n == 1 || n == 2);
  }

}
