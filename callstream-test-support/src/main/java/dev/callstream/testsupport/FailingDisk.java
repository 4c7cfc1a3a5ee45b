package dev.callstream.testsupport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Predicate;

/**
 * A disk that fills up: files opened through {@link #open} in a folder that {@code failing} picks
 * accept {@code goodBytes} bytes, then every write throws "No space left on device" (reads still
 * work). Hand {@code disk::open} to {@code CallRecorder.Builder.fileOpener}. Thread-safe: each file
 * counts its own bytes.
 */
public final class FailingDisk {
  private final Predicate<String> failing;
  private final long goodBytes;

  /**
   * @param failing picks the folders (by name, such as {@code full-1}) whose files fail
   * @param goodBytes bytes each such file accepts before it fails (a WAV header is 44)
   */
  public FailingDisk(Predicate<String> failing, long goodBytes) {
    this.failing = failing;
    this.goodBytes = goodBytes;
  }

  /** Opens {@code file} as the recorder's default does: created or truncated, read and write. */
  public FileChannel open(Path file) throws IOException {
    FileChannel real = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.READ, StandardOpenOption.WRITE);
    Path folder = file.getParent() == null ? null : file.getParent().getFileName();
    return folder != null && failing.test(folder.toString()) ? new Filling(real, goodBytes) : real;
  }

  /** Delegates to a real channel until its bytes are spent. */
  private static final class Filling extends FileChannel {
    private final FileChannel real;
    private long left;

    Filling(FileChannel real, long goodBytes) {
      this.real = real;
      this.left = goodBytes;
    }

    private synchronized void spend(int bytes) throws IOException {
      if (bytes > left) {
        left = 0;
        throw new IOException("No space left on device");
      }
      left -= bytes;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      return real.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
      return real.read(dsts, offset, length);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      spend(src.remaining());
      return real.write(src);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
      long total = 0;
      for (int i = offset; i < offset + length; i++) {
        total += srcs[i].remaining();
      }
      spend((int) Math.min(Integer.MAX_VALUE, total));
      return real.write(srcs, offset, length);
    }

    @Override
    public long position() throws IOException {
      return real.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
      real.position(newPosition);
      return this;
    }

    @Override
    public long size() throws IOException {
      return real.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
      real.truncate(size);
      return this;
    }

    @Override
    public void force(boolean metaData) throws IOException {
      real.force(metaData);
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
      return real.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
      spend((int) Math.min(Integer.MAX_VALUE, count));
      return real.transferFrom(src, position, count);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      return real.read(dst, position);
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
      spend(src.remaining());
      return real.write(src, position);
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
      throw new IOException("mapping is not supported by a failing disk");
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
      return real.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
      return real.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
      real.close();
    }
  }
}
