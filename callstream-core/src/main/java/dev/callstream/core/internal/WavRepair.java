package dev.callstream.core.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Fixes the sizes in a WAV header after a crash left them behind the data. */
public final class WavRepair {
  private WavRepair() {}

  /**
   * Sets the RIFF, data and (if present) {@code fact} sizes from the file length and cuts off a
   * trailing partial sample frame.
   *
   * @return true when something was changed
   * @throws IOException when the file is not a RIFF/WAVE file with a {@code fmt} and {@code data} chunk
   */
  public static boolean repair(Path path) throws IOException {
    try (FileChannel file = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      long fileLength = file.size();
      ByteBuffer riff = read(file, 0, 12, path);
      if (!tag(riff, 0).equals("RIFF") || !tag(riff, 8).equals("WAVE")) {
        throw new IOException("not a RIFF/WAVE file: " + path);
      }
      long riffSize = Integer.toUnsignedLong(riff.getInt(4));
      int blockAlign = 0;
      long factPosition = -1;
      long position = 12;
      while (true) {
        if (position + 8 > fileLength) {
          throw new IOException("no data chunk in " + path);
        }
        ByteBuffer chunk = read(file, position, 8, path);
        String id = tag(chunk, 0);
        long size = Integer.toUnsignedLong(chunk.getInt(4));
        if (id.equals("fmt ")) {
          blockAlign = Short.toUnsignedInt(read(file, position + 8 + 12, 2, path).getShort(0));
        } else if (id.equals("fact")) {
          factPosition = position + 8;
        } else if (id.equals("data")) {
          break;
        }
        position += 8 + size + (size & 1);
      }
      if (blockAlign <= 0) {
        throw new IOException("no usable fmt chunk before the data chunk in " + path);
      }
      long dataStart = position + 8;
      long dataSize = Integer.toUnsignedLong(read(file, position + 4, 4, path).getInt(0));
      long available = fileLength - dataStart;
      boolean paddedExactly = (dataSize & 1) == 1 && available == dataSize + 1;
      if (paddedExactly && riffSize == fileLength - 8) {
        return false;
      }
      long wholeData = paddedExactly ? dataSize : available - available % blockAlign;
      long newLength = paddedExactly ? fileLength : dataStart + wholeData;
      boolean changed = false;
      if (newLength < fileLength) {
        file.truncate(newLength);
        changed = true;
      }
      changed |= patch(file, 4, newLength - 8, riffSize);
      changed |= patch(file, position + 4, wholeData, dataSize);
      if (factPosition >= 0) {
        long frames = Integer.toUnsignedLong(read(file, factPosition, 4, path).getInt(0));
        int bytesPerSample = blockAlign; // fact counts sample frames
        changed |= patch(file, factPosition, wholeData / bytesPerSample, frames);
      }
      return changed;
    }
  }

  private static boolean patch(FileChannel file, long position, long value, long current) throws IOException {
    if (value == current) {
      return false;
    }
    ByteBuffer field = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) value).flip();
    while (field.hasRemaining()) {
      file.write(field, position + field.position());
    }
    return true;
  }

  private static ByteBuffer read(FileChannel file, long position, int length, Path path) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
    while (buffer.hasRemaining()) {
      if (file.read(buffer, position + buffer.position()) < 0) {
        throw new IOException("truncated WAV header in " + path);
      }
    }
    return buffer.flip();
  }

  private static String tag(ByteBuffer buffer, int offset) {
    byte[] bytes = new byte[4];
    buffer.get(offset, bytes);
    return new String(bytes, StandardCharsets.US_ASCII);
  }
}
