package dev.callstream.core.recording;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Predicate;

/**
 * Reaches {@link CallRecorder}'s package-private sink seam from the server's reliability tests: a
 * recorder whose files, for the calls a predicate picks, fail on write like a full disk.
 */
public final class FailingDisk {
  private FailingDisk() {}

  /**
   * A recorder under {@code directory}; files in a folder whose name satisfies {@code failing} throw
   * "No space left on device" once {@code goodWrites} writes have succeeded.
   */
  public static CallRecorder.Builder recorder(Path directory, Predicate<String> failing, int goodWrites,
      CallRecorder.Events events) {
    return CallRecorder.builder(directory).events(events).sinkFactory((path, sampleRate, channels) -> {
      WavSink real = WavSink.Factory.WAV_WRITER.open(path, sampleRate, channels);
      if (!failing.test(path.getParent().getFileName().toString())) {
        return real;
      }
      return new WavSink() {
        private int writes;

        private void spend() throws IOException {
          if (++writes > goodWrites) {
            throw new IOException("No space left on device");
          }
        }

        @Override
        public void write(byte[] data, int off, int len) throws IOException {
          spend();
          real.write(data, off, len);
        }

        @Override
        public void writeSilence(long sampleFrames) throws IOException {
          spend();
          real.writeSilence(sampleFrames);
        }

        @Override
        public void writeAt(long dataOffset, byte[] src, int off, int len) throws IOException {
          spend();
          real.writeAt(dataOffset, src, off, len);
        }

        @Override
        public void readAt(long dataOffset, byte[] dst, int off, int len) throws IOException {
          real.readAt(dataOffset, dst, off, len);
        }

        @Override
        public void close() throws IOException {
          real.close();
        }
      };
    });
  }
}
