package dev.callstream.core.recording;

import dev.callstream.core.internal.WavRepair;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * A streaming WAV file writer that survives a crash: the file is playable at every moment, not only
 * after {@link #close()}.
 *
 * <p>The header is written first, with sizes for the data so far. Data goes through a small heap
 * buffer; whenever a write happens at least one second after the header was last brought up to
 * date, the buffer is written out and the RIFF and data sizes are patched in place. So a process
 * killed with SIGKILL leaves a valid file holding all audio but (at most) the last second or the
 * last buffer. {@link #close()} always leaves exact sizes. Data reaches the operating system, which
 * keeps it across a process crash; the file is not forced to disk, so a power loss may lose more.
 * A file left by a crash can be fixed with {@link #repair(Path)}.
 *
 * <p>Formats: signed 16-bit little-endian PCM, mono or stereo ({@link #pcm16}), and G.711 mu-law,
 * 8-bit mono, format tag 7 with a {@code fact} chunk ({@link #mulaw}). An existing file at the path
 * is replaced. The data chunk of a WAV file is limited to 4 GiB; writing beyond it throws.
 *
 * <p>Not thread-safe: confine a writer to one thread at a time (a call's listener callbacks are).
 */
public final class WavWriter implements Closeable {

  /** How long the header may lag behind the data while writes keep coming. */
  static final Duration DEFAULT_PATCH_INTERVAL = Duration.ofSeconds(1);

  private static final int BUFFER_BYTES = 16 * 1024;
  private static final int FORMAT_PCM = 1;
  private static final int FORMAT_MULAW = 7;
  private static final byte MULAW_SILENCE = (byte) 0xFF;
  /** Blocks of silence to put into the (direct) buffer; never written to. */
  private static final byte[] PCM_SILENCE = new byte[1024];
  private static final byte[] MULAW_SILENCE_BLOCK = new byte[1024];

  static {
    Arrays.fill(MULAW_SILENCE_BLOCK, MULAW_SILENCE);
  }

  private final Path path;
  private final FileChannel channel;
  private final int formatTag;
  private final int channels;
  private final int sampleRate;
  private final int blockAlign;
  private final int headerBytes;
  private final long maxDataBytes;
  private final LongSupplier nanoClock;
  private final long patchIntervalNanos;
  /**
   * Direct, so that writing it out is one copy (into the kernel): a heap buffer is first copied into
   * a temporary direct one by the JDK, which was most of the recorder's time per drain.
   */
  private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES);

  private long dataBytes;
  private long lastPatchNanos;
  private boolean closed;

  private WavWriter(Path path, int formatTag, int channels, int sampleRate, LongSupplier nanoClock,
      Duration patchInterval) throws IOException {
    this(path, formatTag, channels, sampleRate, nanoClock, patchInterval, CallRecorder.FileOpener.DEFAULT);
  }

  private WavWriter(Path path, int formatTag, int channels, int sampleRate, LongSupplier nanoClock,
      Duration patchInterval, CallRecorder.FileOpener opener) throws IOException {
    this.path = Objects.requireNonNull(path, "path");
    if (sampleRate <= 0) {
      throw new IllegalArgumentException("sampleRate <= 0: " + sampleRate);
    }
    if (channels != 1 && channels != 2) {
      throw new IllegalArgumentException("channels not 1 or 2: " + channels);
    }
    this.formatTag = formatTag;
    this.channels = channels;
    this.sampleRate = sampleRate;
    this.blockAlign = channels * (formatTag == FORMAT_PCM ? 2 : 1);
    this.headerBytes = formatTag == FORMAT_PCM ? 44 : 58;
    // The RIFF size (header - 8 + data + pad byte) must fit in an unsigned 32-bit field.
    long limit = 0xFFFF_FFFFL - (headerBytes - 8) - 1;
    this.maxDataBytes = limit - limit % blockAlign;
    this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    this.patchIntervalNanos = patchInterval.toNanos();
    this.channel = Objects.requireNonNull(opener.open(path), "the file opener returned null");
    try {
      writeFully(header(), 0);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    this.lastPatchNanos = nanoClock.getAsLong();
  }

  /**
   * Creates (or replaces) a 16-bit little-endian PCM WAV file.
   *
   * @param channels 1 (mono) or 2 (stereo, samples interleaved left then right)
   */
  public static WavWriter pcm16(Path path, int sampleRate, int channels) throws IOException {
    return new WavWriter(path, FORMAT_PCM, channels, sampleRate, System::nanoTime, DEFAULT_PATCH_INTERVAL);
  }

  /** Creates (or replaces) a mono G.711 mu-law WAV file; write mu-law bytes to it. */
  public static WavWriter mulaw(Path path, int sampleRate) throws IOException {
    return new WavWriter(path, FORMAT_MULAW, 1, sampleRate, System::nanoTime, DEFAULT_PATCH_INTERVAL);
  }

  /** A PCM writer whose file is opened by {@code opener} ({@link CallRecorder.Builder#fileOpener}). */
  static WavWriter pcm16(Path path, int sampleRate, int channels, CallRecorder.FileOpener opener) throws IOException {
    return new WavWriter(path, FORMAT_PCM, channels, sampleRate, System::nanoTime, DEFAULT_PATCH_INTERVAL, opener);
  }

  /** For tests: a PCM writer with its own clock. */
  static WavWriter pcm16(Path path, int sampleRate, int channels, LongSupplier nanoClock, Duration patchInterval)
      throws IOException {
    return new WavWriter(path, FORMAT_PCM, channels, sampleRate, nanoClock, patchInterval);
  }

  /** For tests: a mu-law writer with its own clock. */
  static WavWriter mulaw(Path path, int sampleRate, LongSupplier nanoClock, Duration patchInterval)
      throws IOException {
    return new WavWriter(path, FORMAT_MULAW, 1, sampleRate, nanoClock, patchInterval);
  }

  /**
   * Fixes the header of a WAV file whose sizes do not match its length, as a crash leaves it: the
   * RIFF, data (and {@code fact}) sizes are set from the file length, and a trailing partial sample
   * frame is cut off.
   *
   * @return true when the file was changed, false when it was already consistent
   * @throws IOException when the file cannot be read or is not a RIFF/WAVE file with a data chunk
   */
  public static boolean repair(Path path) throws IOException {
    return WavRepair.repair(path);
  }

  /**
   * Appends sample data: 16-bit little-endian PCM (interleaved for stereo) or mu-law bytes.
   *
   * @param len a whole number of sample frames ({@link #blockAlign()} bytes each)
   * @throws IOException when writing fails or the 4 GiB WAV limit would be passed
   */
  public void write(byte[] data, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, data.length);
    checkWritable(len);
    if (len > buffer.remaining()) {
      drainBuffer();
    }
    if (len >= buffer.capacity()) {
      writeFully(ByteBuffer.wrap(data, off, len), headerBytes + dataBytes);
    } else {
      buffer.put(data, off, len);
    }
    dataBytes += len;
    patchIfDue();
  }

  /** Appends {@code sampleFrames} frames of digital silence (0 for PCM, 0xFF for mu-law). */
  public void writeSilence(long sampleFrames) throws IOException {
    if (sampleFrames < 0) {
      throw new IllegalArgumentException("sampleFrames < 0: " + sampleFrames);
    }
    long remaining = Math.multiplyExact(sampleFrames, (long) blockAlign);
    checkWritable(remaining);
    byte silence = formatTag == FORMAT_MULAW ? MULAW_SILENCE : 0;
    while (remaining > 0) {
      if (!buffer.hasRemaining()) {
        drainBuffer();
      }
      int chunk = (int) Math.min(remaining, buffer.remaining());
      byte[] fill = silence == 0 ? PCM_SILENCE : MULAW_SILENCE_BLOCK;
      for (int left = chunk; left > 0; left -= fill.length) {
        buffer.put(fill, 0, Math.min(left, fill.length));
      }
      remaining -= chunk;
      dataBytes += chunk;
    }
    patchIfDue();
  }

  /**
   * Overwrites data already written, at byte {@code dataOffset} of the data chunk (0 = first
   * sample). Used to fill in a stereo channel that arrived late.
   *
   * @throws IllegalArgumentException when the range is not inside the data written so far
   */
  public void writeAt(long dataOffset, byte[] src, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, src.length);
    checkRange(dataOffset, len);
    drainBuffer();
    writeFully(ByteBuffer.wrap(src, off, len), headerBytes + dataOffset);
  }

  /**
   * Reads data already written, from byte {@code dataOffset} of the data chunk.
   *
   * @throws IllegalArgumentException when the range is not inside the data written so far
   */
  public void readAt(long dataOffset, byte[] dst, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, dst.length);
    checkRange(dataOffset, len);
    drainBuffer();
    ByteBuffer target = ByteBuffer.wrap(dst, off, len);
    long position = headerBytes + dataOffset;
    while (target.hasRemaining()) {
      int n = channel.read(target, position);
      if (n < 0) {
        throw new IOException("unexpected end of " + path + " at " + position);
      }
      position += n;
    }
  }

  /** Writes buffered data out and brings the header sizes up to date. */
  public void flush() throws IOException {
    ensureOpen();
    drainBuffer();
    patchHeader();
  }

  /**
   * Flushes, pads the data chunk to an even length if needed, patches the final sizes and closes the
   * file. Idempotent. The file is closed even when the last write fails.
   */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      drainBuffer();
      if ((dataBytes & 1) == 1) {
        writeFully(ByteBuffer.wrap(new byte[1]), headerBytes + dataBytes);
      }
      patchHeader();
    } finally {
      channel.close();
    }
  }

  /** The file written. */
  public Path path() {
    return path;
  }

  /** 1 or 2. */
  public int channels() {
    return channels;
  }

  /** Sample frames per second. */
  public int sampleRate() {
    return sampleRate;
  }

  /** Bytes per sample frame: 2 for mono PCM, 4 for stereo PCM, 1 for mu-law. */
  public int blockAlign() {
    return blockAlign;
  }

  /** Bytes of sample data written so far (buffered ones included); the header is not counted. */
  public long dataBytes() {
    return dataBytes;
  }

  /** Sample frames written so far. */
  public long sampleFrames() {
    return dataBytes / blockAlign;
  }

  /** The duration of the audio written so far. */
  public Duration duration() {
    return Duration.ofNanos(sampleFrames() * 1_000_000_000L / sampleRate);
  }

  /** True once {@link #close()} was called. */
  public boolean isClosed() {
    return closed;
  }

  private ByteBuffer header() {
    ByteBuffer header = ByteBuffer.allocate(headerBytes).order(ByteOrder.LITTLE_ENDIAN);
    header.put(ascii("RIFF")).putInt((int) riffSize()).put(ascii("WAVE"));
    boolean pcm = formatTag == FORMAT_PCM;
    header.put(ascii("fmt ")).putInt(pcm ? 16 : 18);
    header.putShort((short) formatTag).putShort((short) channels).putInt(sampleRate)
        .putInt(sampleRate * blockAlign).putShort((short) blockAlign).putShort((short) (pcm ? 16 : 8));
    if (!pcm) {
      header.putShort((short) 0); // cbSize: no extension
      header.put(ascii("fact")).putInt(4).putInt((int) sampleFrames());
    }
    header.put(ascii("data")).putInt((int) dataBytes);
    return header.flip();
  }

  private long riffSize() {
    // The pad byte of an odd-sized data chunk exists only once close() has written it.
    return headerBytes - 8 + dataBytes + (closed ? dataBytes & 1 : 0);
  }

  /** The whole header in one write: one syscall per patch instead of one per size field. */
  private void patchHeader() throws IOException {
    writeFully(header(), 0);
    lastPatchNanos = nanoClock.getAsLong();
  }

  private void patchIfDue() throws IOException {
    if (nanoClock.getAsLong() - lastPatchNanos >= patchIntervalNanos) {
      drainBuffer();
      patchHeader();
    }
  }

  private void drainBuffer() throws IOException {
    if (buffer.position() == 0) {
      return;
    }
    buffer.flip();
    writeFully(buffer, headerBytes + dataBytes - buffer.remaining());
    buffer.clear();
  }

  private void writeFully(ByteBuffer source, long position) throws IOException {
    while (source.hasRemaining()) {
      position += channel.write(source, position);
    }
  }

  private void checkWritable(long len) throws IOException {
    ensureOpen();
    if (len % blockAlign != 0) {
      throw new IllegalArgumentException("length " + len + " is not a multiple of blockAlign " + blockAlign);
    }
    if (dataBytes + len > maxDataBytes) {
      throw new IOException("WAV data limit of 4 GiB reached: " + path);
    }
  }

  private void checkRange(long dataOffset, int len) throws IOException {
    ensureOpen();
    if (dataOffset < 0 || dataOffset + len > dataBytes) {
      throw new IllegalArgumentException("range " + dataOffset + "+" + len + " outside data of " + dataBytes + " bytes");
    }
  }

  private void ensureOpen() throws IOException {
    if (closed) {
      throw new IOException("WAV writer closed: " + path);
    }
  }

  private static byte[] ascii(String tag) {
    return tag.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }
}
