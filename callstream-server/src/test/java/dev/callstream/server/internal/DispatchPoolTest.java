package dev.callstream.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DispatchPoolTest {
  private final DispatchPool pool = new DispatchPool(2, TimeUnit.SECONDS.toNanos(30), "test-dispatch-");

  @AfterEach
  void stop() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void runsEveryTask() throws Exception {
    CountDownLatch done = new CountDownLatch(1000);
    for (int i = 0; i < 1000; i++) {
      pool.execute(done::countDown);
    }
    assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void deferredTasksRunOnceFlushed() throws Exception {
    CountDownLatch done = new CountDownLatch(3);
    for (int i = 0; i < 3; i++) {
      pool.executeDeferred(done::countDown);
    }
    pool.flushDeferred();
    assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void theOldestDeferredTaskSetsTheWaitLeftUntilTheFlushIsDue() throws Exception {
    long linger = TimeUnit.SECONDS.toNanos(30);
    assertThat(pool.deferredWaitLeft(linger)).isNegative();
    CountDownLatch done = new CountDownLatch(2);
    pool.executeDeferred(done::countDown);
    long first = pool.deferredWaitLeft(linger);
    assertThat(first).isPositive().isLessThanOrEqualTo(linger);
    pool.executeDeferred(done::countDown);
    assertThat(pool.deferredWaitLeft(linger)).isLessThanOrEqualTo(first);   // counted from the oldest
    assertThat(pool.deferredWaitLeft(0)).isZero();                          // due at once without a linger
    assertThat(done.getCount()).isEqualTo(2);                               // nobody was woken yet
    pool.flushDeferred();
    assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(pool.deferredWaitLeft(linger)).isNegative();
  }

  @Test
  void aBlockedTaskDoesNotStrandTheTasksQueuedBehindIt() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch blocked = new CountDownLatch(1);
    CountDownLatch others = new CountDownLatch(5);
    // Queued together, then one wake-up: the worker that takes the blocking task leaves the rest queued.
    pool.executeDeferred(() -> {
      blocked.countDown();
      try {
        release.await(20, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    for (int i = 0; i < 5; i++) {
      pool.executeDeferred(others::countDown);
    }
    pool.flushDeferred();
    assertThat(blocked.await(5, TimeUnit.SECONDS)).isTrue();
    // no selector batch and no sweep follows: the worker that took the blocking task handed off
    assertThat(others.await(5, TimeUnit.SECONDS)).isTrue();
    release.countDown();
  }

  @Test
  void aBlockedLaneDoesNotDelayAnotherLaneQueuedInTheSameBatchAndEachLaneKeepsItsOrder() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch blocked = new CountDownLatch(1);
    java.util.List<Integer> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    CountDownLatch fastDone = new CountDownLatch(200);
    SerialLane slow = new SerialLane(pool, item -> {
      blocked.countDown();
      try {
        release.await(20, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "slow");
    SerialLane fast = new SerialLane(pool, item -> {
      seen.add((Integer) item);
      fastDone.countDown();
    }, "fast");
    slow.addFromSelector("first");
    for (int i = 0; i < 200; i++) {   // more than one lane batch: the lane re-queues itself
      fast.addFromSelector(i);
    }
    long flushed = System.nanoTime();
    pool.flushDeferred();
    assertThat(fastDone.await(5, TimeUnit.SECONDS)).isTrue();
    // well before the once-a-second idle sweep that rescued such lanes before
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - flushed)).isLessThan(1000);
    assertThat(blocked.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(seen).containsExactlyElementsOf(java.util.stream.IntStream.range(0, 200).boxed().toList());
    release.countDown();
  }

  @Test
  void atMostTheMaximumNumberOfThreadsRunAtOnce() throws Exception {
    AtomicInteger running = new AtomicInteger();
    AtomicInteger peak = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(200);
    for (int i = 0; i < 200; i++) {
      pool.execute(() -> {
        peak.accumulateAndGet(running.incrementAndGet(), Math::max);
        Thread.onSpinWait();
        running.decrementAndGet();
        done.countDown();
      });
    }
    assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(peak.get()).isBetween(1, 2);
  }

  @Test
  void shutdownRunsWhatIsQueuedThenRefusesNewWork() throws Exception {
    CountDownLatch done = new CountDownLatch(50);
    for (int i = 0; i < 50; i++) {
      pool.execute(done::countDown);
    }
    pool.shutdown();
    assertThat(pool.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    assertThat(done.getCount()).isZero();
    assertThatThrownBy(() -> pool.execute(() -> { })).isInstanceOf(RejectedExecutionException.class);
  }
}
