package dev.callstream.kafka;

import dev.callstream.core.AudioFrame;
import dev.callstream.core.CallSession;
import dev.callstream.core.CallStreamListener;
import dev.callstream.core.recording.CallRecorder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * A replay in a JVM of its own, for tests that kill it (SIGKILL) mid-call. Arguments: bootstrap,
 * topic, group, directory, microseconds to spend per frame (to be killable mid-call), idle seconds
 * after which it exits 0.
 */
public final class ReplayChild {
  private ReplayChild() {}

  public static void main(String[] args) throws Exception {
    long micros = Long.parseLong(args[4]);
    CallStreamListener.Factory slow = info -> new CallStreamListener() {
      @Override
      public void onAudio(CallSession session, AudioFrame frame) {
        if (micros > 0) {
          // throttles this child only, so that the parent finds it in the middle of a call
          LockSupport.parkNanos(micros * 1000);
        }
      }
    };
    try (RecordingReplay replay = RecordingReplay.start(args[0], args[1], args[2], Path.of(args[3]),
        new CallRecorder.Events() {},
        // a killed consumer's partitions come back after the session timeout: keep it short here
        Map.of("session.timeout.ms", 6000, "heartbeat.interval.ms", 1000), slow)) {
      System.out.println("replaying, removed " + replay.removedAtStart() + ", skipping " + replay.skippedAtStart());
      replay.awaitIdle(Duration.ofSeconds(Long.parseLong(args[5])));
    }
    System.out.println("idle");
  }
}
