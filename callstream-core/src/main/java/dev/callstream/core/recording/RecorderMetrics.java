package dev.callstream.core.recording;

import dev.callstream.core.CallSession;
import dev.callstream.core.EndReason;
import dev.callstream.core.Transport;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
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
  private final Map<Transport, Counter> bytes = new EnumMap<>(Transport.class);
  private final Map<Transport, Counter> failures = new EnumMap<>(Transport.class);

  private RecorderMetrics(CallRecorder.Events delegate, MeterRegistry registry) {
    this.delegate = delegate;
    for (Transport transport : Transport.values()) {
      bytes.put(transport, Counter.builder("callstream.recording.bytes")
          .description("Bytes of finished recordings (WAV files and call.json)")
          .baseUnit("bytes")
          .tag("transport", transport.label())
          .register(registry));
      failures.put(transport, Counter.builder("callstream.recording.failures")
          .description("Recordings stopped by an I/O error")
          .tag("transport", transport.label())
          .register(registry));
    }
  }

  /** {@code events} with the recorder's counters on {@code registry} (a {@code MeterRegistry}). */
  static CallRecorder.Events wrap(CallRecorder.Events events, Object registry) {
    return new RecorderMetrics(events, (MeterRegistry) registry);
  }

  @Override
  public void started(CallSession session, Path folder) {
    delegate.started(session, folder);
  }

  @Override
  public void finished(CallSession session, Path folder, EndReason reason, boolean complete) {
    try {
      bytes.get(session.transport()).increment(sizeOf(folder));
    } finally {
      delegate.finished(session, folder, reason, complete);
    }
  }

  @Override
  public void failed(CallSession session, Path folder, IOException error) {
    try {
      failures.get(session.transport()).increment();
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
