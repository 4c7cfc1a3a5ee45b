package dev.callstream.bench;

import dev.callstream.core.AudioChannel;
import dev.callstream.core.audio.G711;
import dev.callstream.server.wire.Media;
import dev.callstream.server.wire.StreamCodec;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-message hot path of the receiver: parse one platform-shaped Media message (JSON + base64)
 * and decode its 160 mu-law bytes to 16-bit PCM. Messages cycle through a small set with different
 * sequence ids and audio so that nothing is constant-folded.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CodecBenchmark {
  private static final int MESSAGES = 64;

  private final StreamCodec codec = new StreamCodec();
  private final PrototypeMediaDecoder prototype = new PrototypeMediaDecoder();
  private final PrototypeMediaScanner scanner = new PrototypeMediaScanner(codec);
  private final String[] text = new String[MESSAGES];
  private final byte[][] utf8 = new byte[MESSAGES][];
  private final byte[] pcm = new byte[320];
  private int next;

  @Setup
  public void setUp() {
    Random random = new Random(1);
    for (int i = 0; i < MESSAGES; i++) {
      byte[] audio = new byte[160];
      random.nextBytes(audio);
      AudioChannel channel = i % 2 == 0 ? AudioChannel.AGENT : AudioChannel.CONFERENCE;
      text[i] = codec.encode(new Media(channel, 1000 + i / 2, audio));
      utf8[i] = text[i].getBytes(StandardCharsets.UTF_8);
    }
  }

  private int nextIndex() {
    int i = next;
    next = (i + 1) & (MESSAGES - 1);
    return i;
  }

  /** What the server does per text frame: parse the String Tyrus hands over. */
  @Benchmark
  public Media parseMediaString() {
    return (Media) codec.decode(text[nextIndex()]);
  }

  /** Parse from UTF-8 bytes (a transport that hands over the raw frame). */
  @Benchmark
  public Media parseMediaBytes() {
    byte[] m = utf8[nextIndex()];
    return (Media) codec.decode(m, 0, m.length);
  }

  /** Parse + base64 + G.711 decode into a reused PCM buffer, from the String a WebSocket library hands over. */
  @Benchmark
  public byte[] parseAndDecodePcm() {
    Media media = (Media) codec.decode(text[nextIndex()]);
    byte[] payload = media.payload();
    G711.mulawToPcm16le(payload, 0, payload.length, pcm, 0);
    return pcm;
  }

  /**
   * The target as the server runs it: parse the unmasked bytes of one WebSocket text frame
   * (the server does its own framing) + base64 + G.711 into a reused PCM buffer (target <= 300 ns).
   */
  @Benchmark
  public byte[] parseAndDecodePcmBytes() {
    byte[] m = utf8[nextIndex()];
    Media media = (Media) codec.decode(m, 0, m.length);
    byte[] payload = media.payload();
    G711.mulawToPcm16le(payload, 0, payload.length, pcm, 0);
    return pcm;
  }

  /**
   * The proposed codec fix, measured: the same Jackson parse, base64 decoded from the parser's chars
   * into an exact-size array ({@link PrototypeMediaDecoder}), then G.711 as above.
   */
  @Benchmark
  public byte[] prototypeParseAndDecodePcm() throws java.io.IOException {
    Media media = prototype.decode(text[nextIndex()]);
    byte[] payload = media.payload();
    G711.mulawToPcm16le(payload, 0, payload.length, pcm, 0);
    return pcm;
  }

  /**
   * The second proposed step, measured: a scanner for the flat Media shape with the codec as
   * fallback ({@link PrototypeMediaScanner}), then G.711 as above.
   */
  @Benchmark
  public byte[] prototypeScanAndDecodePcm() {
    Media media = (Media) scanner.decode(text[nextIndex()]);
    byte[] payload = media.payload();
    G711.mulawToPcm16le(payload, 0, payload.length, pcm, 0);
    return pcm;
  }

  /** G.711 alone: 160 mu-law bytes to 320 bytes of PCM. */
  @Benchmark
  public byte[] g711DecodeOnly() {
    byte[] payload = utf8[nextIndex()]; // any 160 bytes will do; the table lookup is data independent
    G711.mulawToPcm16le(payload, 0, 160, pcm, 0);
    return pcm;
  }
}
