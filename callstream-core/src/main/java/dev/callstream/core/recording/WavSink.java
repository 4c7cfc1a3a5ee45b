package dev.callstream.core.recording;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;

/** The recorder's view of one output file; a seam so tests can inject disk failures. */
interface WavSink extends Closeable {

  void write(byte[] data, int off, int len) throws IOException;

  void writeSilence(long sampleFrames) throws IOException;

  void writeAt(long dataOffset, byte[] src, int off, int len) throws IOException;

  void readAt(long dataOffset, byte[] dst, int off, int len) throws IOException;

  /** Opens the recorder's 16-bit PCM files. */
  @FunctionalInterface
  interface Factory {
    /** The production factory: a {@link WavWriter} per file. */
    Factory WAV_WRITER = (path, sampleRate, channels) -> of(WavWriter.pcm16(path, sampleRate, channels));

    WavSink open(Path path, int sampleRate, int channels) throws IOException;
  }

  /** Adapts a writer. */
  static WavSink of(WavWriter writer) {
    return new WavSink() {
      @Override
      public void write(byte[] data, int off, int len) throws IOException {
        writer.write(data, off, len);
      }

      @Override
      public void writeSilence(long sampleFrames) throws IOException {
        writer.writeSilence(sampleFrames);
      }

      @Override
      public void writeAt(long dataOffset, byte[] src, int off, int len) throws IOException {
        writer.writeAt(dataOffset, src, off, len);
      }

      @Override
      public void readAt(long dataOffset, byte[] dst, int off, int len) throws IOException {
        writer.readAt(dataOffset, dst, off, len);
      }

      @Override
      public void close() throws IOException {
        writer.close();
      }
    };
  }
}
