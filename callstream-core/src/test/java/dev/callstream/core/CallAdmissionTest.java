package dev.callstream.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CallAdmissionTest {

  @Test
  void admitsUpToTheLimitAndAgainAfterARelease() {
    CallAdmission admission = CallAdmission.limit(2);
    assertThat(admission.tryAcquire()).isTrue();
    assertThat(admission.tryAcquire()).isTrue();
    assertThat(admission.tryAcquire()).isFalse();
    assertThat(admission.active()).isEqualTo(2);
    admission.release();
    assertThat(admission.tryAcquire()).isTrue();
    assertThat(admission.maxCalls()).isEqualTo(2);
  }

  @Test
  void aReleaseWithoutAnAcquireIsAnErrorAndLeavesTheCountAlone() {
    CallAdmission admission = CallAdmission.limit(1);
    assertThatThrownBy(admission::release).isInstanceOf(IllegalStateException.class);
    assertThat(admission.active()).isZero();
    assertThatThrownBy(() -> CallAdmission.limit(0)).hasMessage("maxCalls < 1: 0");
  }

  @Test
  void concurrentAcquiresNeverExceedTheLimit() throws Exception {
    CallAdmission admission = CallAdmission.limit(10);
    AtomicInteger admitted = new AtomicInteger();
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      for (int i = 0; i < 100; i++) {
        pool.execute(() -> {
          try {
            go.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          if (admission.tryAcquire()) {
            admitted.incrementAndGet();
          }
        });
      }
      go.countDown();
    } finally {
      pool.shutdown();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(admitted.get()).isEqualTo(10);
    assertThat(admission.active()).isEqualTo(10);
  }
}
