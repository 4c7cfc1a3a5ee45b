package dev.callstream.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ReadThrottleTest {
  private final AtomicInteger lane = new AtomicInteger();
  private final List<String> switches = new ArrayList<>();
  private final AtomicInteger resumes = new AtomicInteger();
  private final ReadThrottle throttle = new ReadThrottle(lane::get, 16, "test", resumes::incrementAndGet);

  ReadThrottleTest() {
    throttle.attach(new ReadThrottle.ReadControl() {
      @Override
      public void pause() {
        switches.add("pause");
      }

      @Override
      public void resume() {
        switches.add("resume");
      }
    });
  }

  @Test
  void pausesAtTheCapacityAndResumesAtHalf() {
    lane.set(15);
    throttle.queued(15);
    assertThat(throttle.paused()).isFalse();
    lane.set(16);
    throttle.queued(16);
    assertThat(throttle.paused()).isTrue();
    lane.set(9);
    throttle.taken();
    assertThat(throttle.paused()).isTrue();
    lane.set(8);
    throttle.taken();
    assertThat(throttle.paused()).isFalse();
    assertThat(switches).containsExactly("pause", "resume");
    assertThat(resumes).hasValue(1);
    assertThat(throttle.pauses()).isEqualTo(1);
  }

  @Test
  void aLaneThatDrainedWhileTheReaderWasPausingIsResumedAtOnce() {
    // The reader added the 16th item; before it paused, the lane thread took every item and, seeing no
    // pause yet, did not resume. Nobody would ever resume reading unless the pause itself looks again.
    lane.set(0);
    throttle.queued(16);
    assertThat(throttle.paused()).isFalse();
    assertThat(switches).containsExactly("pause", "resume");
  }

  @Test
  void everyReadOverTheCapacitySwitchesReadingOffAgain() {
    lane.set(20);
    throttle.queued(20);
    throttle.queued(21);   // a resume that raced with this read may have switched reading back on
    assertThat(switches).containsExactly("pause", "pause");
    assertThat(throttle.pauses()).isEqualTo(1);
  }

  @Test
  void resumeNowResumesWhateverTheLaneHolds() {
    lane.set(100);
    throttle.queued(100);
    throttle.resumeNow();
    assertThat(throttle.paused()).isFalse();
    assertThat(switches).containsExactly("pause", "resume");
    throttle.resumeNow();
    assertThat(switches).hasSize(2);
  }
}
