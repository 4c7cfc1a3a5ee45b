package dev.callstream.core;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The recorder's metrics, as a decorator of its {@link CallRecorder.Events}:
 * {@code callstream_recording_bytes_total} (the sizes of a call's files, added when its recording
 * finishes) and {@code callstream_recording_failures_total}, both tagged {@code transport}. Loaded
 * only when a registry is given, so Micrometer stays optional.
 */
final class RecorderMetrics implements CallRecorder.Events {
  private static final Logger LOG = LoggerFactory.getLogger(RecorderMetrics.class);

  private final CallRecorder.Events delegate;
  private final Counter bytes;
  private final Counter failures;

  private RecorderMetrics(CallRecorder.Events delegate, MeterRegistry registry, String transport) {
    this.delegate = delegate;
    this.bytes = Counter.builder("callstream.recording.bytes")
        .description("Bytes of finished recordings (WAV files and call.json)")
        .baseUnit("bytes")
        .tag("transport", transport)
        .register(registry);
    this.failures = Counter.builder("callstream.recording.failures")
        .description("Recordings stopped by an I/O error")
        .tag("transport", transport)
        .register(registry);
  }

  /** {@code events} with the recorder's counters on {@code registry} (a {@code MeterRegistry}). */
  static CallRecorder.Events wrap(CallRecorder.Events events, Object registry) {
    // The transport is not known to the recorder yet (every call reaches it through the WebSocket
    // server); the tag is there so that gRPC recordings can be told apart once they exist.
    return new RecorderMetrics(events, (MeterRegistry) registry, "wss");
  }

  @Override
  public void started(CallSession session, Path folder) {
    delegate.started(session, folder);
  }

  @Override
  public void finished(CallSession session, Path folder, EndReason reason, boolean complete) {
    try {
      bytes.increment(sizeOf(folder));
    } finally {
      delegate.finished(session, folder, reason, complete);
    }
  }

  @Override
  public void failed(CallSession session, Path folder, IOException error) {
    try {
      failures.increment();
    } finally {
      delegate.failed(session, folder, error);
    }
  }

  private static long sizeOf(Path folder) {
    if (folder == null) {
      return 0;
    }
    long total = 0;
    try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, Files::isRegularFile)) {
      for (Path file : files) {
        total += Files.size(file);
      }
    } catch (IOException e) {
      LOG.debug("cannot measure {}: {}", folder, e.toString());
    }
    return total;
  }
}
