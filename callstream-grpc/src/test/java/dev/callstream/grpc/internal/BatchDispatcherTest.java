package dev.callstream.grpc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BatchDispatcherTest {
  private static final long LINGER = TimeUnit.MILLISECONDS.toNanos(1);
  private static final long STUCK = TimeUnit.MILLISECONDS.toNanos(10);

  private final ExecutorService spare = Executors.newFixedThreadPool(2, runnable -> {
    Thread thread = new Thread(runnable, "spare");
    thread.setDaemon(true);
    return thread;
  });
  private final AtomicLong now = new AtomicLong(1_000_000);
  private final CountDownLatch release = new CountDownLatch(1);
  private BatchDispatcher dispatcher;

  @AfterEach
  void tearDown() throws InterruptedException {
    release.countDown();
    if (dispatcher != null) {
      dispatcher.stopNow();
    }
    spare.shutdownNow();
  }

  @Test
  void runsEveryTaskOnTheBatchingThreadWhileNothingBlocks() throws InterruptedException {
    dispatcher = new BatchDispatcher(spare, LINGER, STUCK, "batch");
    List<String> threads = new CopyOnWriteArrayList<>();
    AtomicInteger ran = new AtomicInteger();
    Thread[] producers = new Thread[4];
    for (int p = 0; p < producers.length; p++) {
      producers[p] = new Thread(() -> {
        for (int i = 0; i < 500; i++) {
          dispatcher.execute(() -> {
            threads.add(Thread.currentThread().getName());
            ran.incrementAndGet();
          });
          if (i % 50 == 0) {
            // quiet spells: the batching thread parks and must be woken by the next task
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
          }
        }
      });
      producers[p].start();
    }
    for (Thread producer : producers) {
      producer.join();
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> ran.get() == 2000);
    assertThat(threads).containsOnly("batch");
  }

  @Test
  void aBlockedTaskSendsTheOthersToTheSpareThreads() throws InterruptedException {
    dispatcher = new BatchDispatcher(spare, LINGER, STUCK, "batch", now::get);
    CountDownLatch blocking = new CountDownLatch(1);
    dispatcher.execute(() -> {
      blocking.countDown();
      awaitRelease();
    });
    assertThat(blocking.await(10, TimeUnit.SECONDS)).isTrue();
    CountDownLatch queuedBehind = new CountDownLatch(1);
    dispatcher.execute(queuedBehind::countDown);
    // not yet stuck by the clock: the task waits for the batching thread
    assertThat(queuedBehind.await(50, TimeUnit.MILLISECONDS)).isFalse();
    assertThat(dispatcher.stuck()).isFalse();

    now.addAndGet(STUCK + 10);
    assertThat(dispatcher.stuck()).isTrue();
    dispatcher.rescue();
    assertThat(queuedBehind.await(10, TimeUnit.SECONDS)).as("rescued to a spare thread").isTrue();

    List<String> ranOn = new CopyOnWriteArrayList<>();
    CountDownLatch next = new CountDownLatch(1);
    dispatcher.execute(() -> {
      ranOn.add(Thread.currentThread().getName());
      next.countDown();
    });
    assertThat(next.await(10, TimeUnit.SECONDS)).as("a new task while stuck").isTrue();
    assertThat(ranOn).containsExactly("spare");

    release.countDown();
    await().atMost(Duration.ofSeconds(10)).until(() -> !dispatcher.stuck());
    List<String> after = new CopyOnWriteArrayList<>();
    dispatcher.execute(() -> after.add(Thread.currentThread().getName()));
    await().atMost(Duration.ofSeconds(10)).until(() -> after.size() == 1);
    assertThat(after).containsExactly("batch");
  }

  @Test
  void stopRunsWhatIsQueuedThenRefuses() throws InterruptedException {
    dispatcher = new BatchDispatcher(spare, LINGER, STUCK, "batch");
    AtomicInteger ran = new AtomicInteger();
    AtomicInteger probes = new AtomicInteger();
    CountDownLatch started = new CountDownLatch(1);
    dispatcher.execute(() -> {
      started.countDown();
      awaitRelease();
    });
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
    for (int i = 0; i < 10; i++) {
      dispatcher.execute(ran::incrementAndGet);
    }
    Thread stopper = new Thread(() -> {
      try {
        dispatcher.stop(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    stopper.start();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThatThrownBy(() -> dispatcher.execute(probes::incrementAndGet))
            .isInstanceOf(RejectedExecutionException.class));
    release.countDown();
    stopper.join(10_000);
    assertThat(stopper.isAlive()).isFalse();
    // run by the batching thread before it ended, or by the spare threads if the blocked task
    // outlasted the stuck limit
    await().atMost(Duration.ofSeconds(10)).until(() -> ran.get() == 10);
  }

  private void awaitRelease() {
    try {
      release.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
