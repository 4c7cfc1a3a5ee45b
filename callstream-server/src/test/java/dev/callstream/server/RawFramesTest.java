package dev.callstream.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.callstream.testsupport.WebSocketPeer;
import dev.callstream.testsupport.PlatformJson;
import dev.callstream.core.AudioFrame;
import dev.callstream.core.CallSession;
import dev.callstream.core.EndReason;
import dev.callstream.server.internal.ClientFrames;
import dev.callstream.transport.Tls;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Frames written byte by byte on a plain socket: the shapes a WebSocket client library never produces
 * (invalid UTF-8, one byte per write, fragments with a ping between them), to check the server's own
 * reading of whole text frames and its hand-over of everything else to Tyrus.
 */
class RawFramesTest extends ServerTestSupport {

  /** A client socket after a successful upgrade. */
  private static final class RawClient implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;

    RawClient(CallStreamServer server, String query) throws IOException {
      this(server, query, 0);
    }

    /** {@code sendBufferBytes} 0 keeps the system's default. */
    RawClient(CallStreamServer server, String query, int sendBufferBytes) throws IOException {
      socket = new Socket();
      if (sendBufferBytes > 0) {
        socket.setSendBufferSize(sendBufferBytes);
      }
      socket.connect(new java.net.InetSocketAddress("127.0.0.1", server.port()), 10_000);
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(10_000);
      out = socket.getOutputStream();
      in = new DataInputStream(socket.getInputStream());
      out.write(("GET /?" + query + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      String head = readHead(in);
      assertThat(head).startsWith("HTTP/1.1 101");
    }

    private static String readHead(InputStream in) throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) {
          throw new IOException("connection closed in the upgrade response");
        }
        head.write(b);
      }
      return head.toString(StandardCharsets.US_ASCII);
    }

    static byte[] frame(int first, byte[] payload) {
      return ClientFrames.masked(first, payload, ThreadLocalRandom.current().nextInt());
    }

    static byte[] text(String text) {
      return frame(0x81, text.getBytes(StandardCharsets.UTF_8));
    }

    void write(byte[] bytes) throws IOException {
      out.write(bytes);
      out.flush();
    }

    void writeByteByByte(byte[] bytes) throws IOException {
      for (byte b : bytes) {
        out.write(b);
        out.flush();
      }
    }

    /** Reads server frames until a close frame, and returns its status code. */
    int awaitCloseCode() throws IOException {
      while (true) {
        int first = in.readUnsignedByte();
        int length = in.readUnsignedByte() & 0x7F;
        if (length == 126) {
          length = in.readUnsignedShort();
        } else if (length == 127) {
          length = (int) in.readLong();
        }
        byte[] payload = in.readNBytes(length);
        if ((first & 0x0F) == 0x8) {
          return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
        }
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  private CallStreamServer plainServer() {
    return start(builder -> builder.tls(Tls.none()));
  }

  @Test
  void aTextFrameThatIsNotUtf8ClosesWith1007() throws Exception {
    CallStreamServer server = plainServer();
    try (RawClient client = new RawClient(server, "callId=utf")) {
      client.write(RawClient.text(PlatformJson.connected()));
      client.write(RawClient.frame(0x81, new byte[] {'{', '"', (byte) 0xC3, 0x28, '"', '}'}));
      assertThat(client.awaitCloseCode()).isEqualTo(1007);
    }
    RecordingCallListener listener = RecordingCallListener.take(created);
    assertThat(listener.awaitEnd()).isEqualTo(EndReason.ERROR);
    assertThat(listener.events).startsWith("connected");
  }

  /**
   * Sends Connected and a Start, then {@code offending}; the server must close with {@code code} and
   * the call must end in error without the offending frame reaching the listener.
   */
  private void assertClosesWith(String callId, byte[] offending, int code) throws Exception {
    CallStreamServer server = plainServer();
    try (RawClient client = new RawClient(server, "callId=" + callId)) {
      client.write(RawClient.text(PlatformJson.connected()));
      client.write(RawClient.text(PlatformJson.start(callId)));
      client.write(offending);
      assertThat(client.awaitCloseCode()).isEqualTo(code);
    }
    RecordingCallListener listener = RecordingCallListener.take(created);
    assertThat(listener.awaitEnd()).isEqualTo(EndReason.ERROR);
    assertThat(listener.events).containsExactly("connected", "start:" + callId, "end:error");
    assertThat(listener.frames).isEmpty();
  }

  /** A frame as a broken client writes it: no mask bit, no mask, the payload in the clear. */
  private static byte[] unmasked(int first, byte[] payload) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(first);
    out.write(payload.length);
    out.writeBytes(payload);
    return out.toByteArray();
  }

  @Test
  void anUnmaskedTextFrameFailsTheConnectionWith1002() throws Exception {
    byte[] media = PlatformJson.media("Participant", 0, PlatformJson.frame(0)).getBytes(StandardCharsets.US_ASCII);
    ByteArrayOutputStream frame = new ByteArrayOutputStream();
    frame.write(0x81);
    frame.write(126);
    frame.write(media.length >> 8);
    frame.write(media.length);
    frame.writeBytes(media);
    assertClosesWith("unmasked", frame.toByteArray(), 1002);
  }

  @Test
  void anUnmaskedControlFrameFailsTheConnectionWith1002() throws Exception {
    assertClosesWith("unmaskedping", unmasked(0x89, new byte[] {'h', 'i'}), 1002);
  }

  @Test
  void aBinaryFrameWithReservedBitsSetIsAProtocolError1002Not1003() throws Exception {
    assertClosesWith("rsvbinary", RawClient.frame(0x82 | 0x40, new byte[] {1, 2, 3}), 1002);
  }

  @Test
  void aTextFrameWithReservedBitsSetIsAProtocolError1002() throws Exception {
    assertClosesWith("rsvtext", RawClient.frame(0x81 | 0x10, PlatformJson.connected().getBytes(StandardCharsets.US_ASCII)),
        1002);
  }

  @Test
  void aBinaryFrameAfterAnUnfinishedTextFragmentIsAProtocolError1002Not1003() throws Exception {
    ByteArrayOutputStream frames = new ByteArrayOutputStream();
    frames.writeBytes(RawClient.frame(0x01, "{\"event\":".getBytes(StandardCharsets.US_ASCII)));
    frames.writeBytes(RawClient.frame(0x82, new byte[] {1, 2, 3}));
    assertClosesWith("binaryinfragment", frames.toByteArray(), 1002);
  }

  @Test
  void aSixtyFourBitLengthWithTheTopBitSetIsAProtocolError1002Not1009() throws Exception {
    byte[] header = {(byte) 0x81, (byte) (0x80 | 127), (byte) 0x80, 0, 0, 0, 0, 0, 0, 16, 1, 2, 3, 4};
    assertClosesWith("toplength", header, 1002);
  }

  @Test
  void aPlainBinaryFrameStillGets1003AndAnOversizedTextFrameStill1009() throws Exception {
    assertClosesWith("binary", RawClient.frame(0x82, new byte[] {1, 2, 3}), 1003);
    byte[] huge = {(byte) 0x81, (byte) (0x80 | 127), 0, 0, 0, 1, 0, 0, 0, 0, 1, 2, 3, 4};
    assertClosesWith("huge", huge, 1009);
  }

  @Test
  void nonAsciiTextArrivesIntact() throws Exception {
    CallStreamServer server = plainServer();
    try (RawClient client = new RawClient(server, "callId=zoe")) {
      client.write(RawClient.text(PlatformJson.connected()));
      client.write(RawClient.text(PlatformJson.start("Zoë-Ω-通话")));
      client.write(RawClient.text(PlatformJson.stop()));
      client.write(RawClient.text(PlatformJson.stop()));
      assertThat(client.awaitCloseCode()).isEqualTo(1000);
    }
    RecordingCallListener listener = RecordingCallListener.take(created);
    assertThat(listener.awaitEnd()).isEqualTo(EndReason.STOPPED);
    assertThat(listener.events).contains("start:Zoë-Ω-通话");
  }

  @Test
  void messagesWrittenOneBytePerWriteArriveWhole() throws Exception {
    CallStreamServer server = plainServer();
    try (RawClient client = new RawClient(server, "callId=dribble")) {
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      all.writeBytes(RawClient.text(PlatformJson.connected()));
      all.writeBytes(RawClient.text(PlatformJson.start("dribble")));
      for (int sequence = 0; sequence < 3; sequence++) {
        all.writeBytes(RawClient.text(PlatformJson.media("Participant", sequence, PlatformJson.frame(sequence))));
      }
      all.writeBytes(RawClient.text(PlatformJson.stop()));
      all.writeBytes(RawClient.text(PlatformJson.stop()));
      client.writeByteByByte(all.toByteArray());
      assertThat(client.awaitCloseCode()).isEqualTo(1000);
    }
    assertStoppedWithFramesZeroToTwo();
  }

  @Test
  void aFragmentedMessageWithAPingInsideArrivesBetweenWholeFramesInOrder() throws Exception {
    CallStreamServer server = plainServer();
    try (RawClient client = new RawClient(server, "callId=fragments")) {
      byte[] second = PlatformJson.media("Participant", 1, PlatformJson.frame(1)).getBytes(StandardCharsets.US_ASCII);
      int third = second.length / 3;
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      all.writeBytes(RawClient.text(PlatformJson.connected()));
      all.writeBytes(RawClient.text(PlatformJson.start("fragments")));
      all.writeBytes(RawClient.text(PlatformJson.media("Participant", 0, PlatformJson.frame(0))));
      all.writeBytes(RawClient.frame(0x01, java.util.Arrays.copyOfRange(second, 0, third)));
      all.writeBytes(RawClient.frame(0x89, "are you there".getBytes(StandardCharsets.US_ASCII)));
      all.writeBytes(RawClient.frame(0x00, java.util.Arrays.copyOfRange(second, third, 2 * third)));
      all.writeBytes(RawClient.frame(0x80, java.util.Arrays.copyOfRange(second, 2 * third, second.length)));
      all.writeBytes(RawClient.text(PlatformJson.media("Participant", 2, PlatformJson.frame(2))));
      all.writeBytes(RawClient.text(PlatformJson.stop()));
      all.writeBytes(RawClient.text(PlatformJson.stop()));
      client.write(all.toByteArray());
      assertThat(client.awaitCloseCode()).isEqualTo(1000);
    }
    assertThat(assertStoppedWithFramesZeroToTwo().gapFrames).isZero();
  }

  @Test
  void aSlowListenerPausesOnlyItsOwnReadingAndLosesNothing() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CallStreamServer server = start(builder -> builder.tls(Tls.none()).laneCapacity(16).listenerFactory(info -> {
      boolean slow = "slow".equals(info.callId());
      RecordingCallListener listener = new RecordingCallListener(info) {
        @Override
        public void onAudio(CallSession session, AudioFrame frame) {
          if (slow) {
            entered.countDown();
            try {
              release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          super.onAudio(session, frame);
        }
      };
      created.add(listener);
      return listener;
    }));
    int frames = 10_000;   // about 3 MB, far more than the socket buffers on both sides hold
    AtomicLong written = new AtomicLong();
    try (RawClient slowClient = new RawClient(server, "callId=slow", 16 * 1024)) {
      slowClient.write(RawClient.text(PlatformJson.connected()));
      slowClient.write(RawClient.text(PlatformJson.start("slow")));
      RecordingCallListener slow = RecordingCallListener.take(created);
      CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
        try {
          for (int sequence = 0; sequence < frames; sequence++) {
            byte[] frame = RawClient.text(PlatformJson.media("Participant", sequence, PlatformJson.frame(sequence)));
            slowClient.write(frame);
            written.addAndGet(frame.length);
          }
          slowClient.write(RawClient.text(PlatformJson.stop()));
          slowClient.write(RawClient.text(PlatformJson.stop()));
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

      // The sender stalls: the server stopped reading this connection while its listener is stuck,
      // instead of reading on and queueing (or dropping) what the listener cannot take.
      AtomicLong previous = new AtomicLong(-1);
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300))
          .until(() -> written.get() == previous.getAndSet(written.get()));
      assertThat(sending).isNotDone();
      assertThat(written.get()).isLessThan(1_000_000);

      // Meanwhile another call runs to its end.
      WebSocketPeer fastPeer = Peers.connect(server, "callId=fast");
      playCall(fastPeer, "fast", 20);
      RecordingCallListener fast = RecordingCallListener.take(created);
      assertThat(fast.awaitEnd()).isEqualTo(EndReason.STOPPED);
      assertThat(fast.frames).hasSize(40);

      release.countDown();
      sending.get(30, TimeUnit.SECONDS);
      assertThat(slowClient.awaitCloseCode()).isEqualTo(1000);
      assertThat(slow.awaitEnd()).isEqualTo(EndReason.STOPPED);
      assertThat(slow.errors).isEmpty();
      assertThat(slow.gapFrames).isZero();
      assertThat(slow.frames).hasSize(frames);
      for (int sequence = 0; sequence < frames; sequence++) {
        assertThat(slow.frames.get(sequence).position()).isEqualTo(sequence);
        assertThat(slow.frames.get(sequence).payload()).isEqualTo(PlatformJson.frame(sequence));
      }
    }
  }

  @Test
  void readingPausedAndResumedThousandsOfTimesNeverStalls() throws Exception {
    // A lane of 16 behind a flood: reading pauses and resumes all the time, while the dispatch thread
    // drains the lane concurrently with the reader pausing it (a race that once left reading paused
    // with nothing queued, and the call stuck).
    CallStreamServer server = start(builder -> builder.tls(Tls.none()).laneCapacity(16));
    int frames = 20_000;
    try (RawClient client = new RawClient(server, "callId=churn")) {
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      all.writeBytes(RawClient.text(PlatformJson.connected()));
      all.writeBytes(RawClient.text(PlatformJson.start("churn")));
      for (int sequence = 0; sequence < frames; sequence++) {
        all.writeBytes(RawClient.text(PlatformJson.media(sequence % 2 == 0 ? "Participant" : "Conference", sequence / 2,
            PlatformJson.frame(sequence / 2))));
      }
      all.writeBytes(RawClient.text(PlatformJson.stop()));
      all.writeBytes(RawClient.text(PlatformJson.stop()));
      CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
        try {
          client.write(all.toByteArray());
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      RecordingCallListener listener = RecordingCallListener.take(created);
      sending.get(30, TimeUnit.SECONDS);
      assertThat(client.awaitCloseCode()).isEqualTo(1000);
      assertThat(listener.awaitEnd()).isEqualTo(EndReason.STOPPED);
      assertThat(listener.frames).hasSize(frames);
      assertThat(listener.gapFrames).isZero();
    }
  }

  /** The next call's listener saw it stop with the three frames sent (sequence 0 to 2), each intact. */
  private RecordingCallListener assertStoppedWithFramesZeroToTwo() throws Exception {
    RecordingCallListener listener = RecordingCallListener.take(created);
    assertThat(listener.awaitEnd()).isEqualTo(EndReason.STOPPED);
    assertThat(listener.frames).hasSize(3);
    for (int sequence = 0; sequence < 3; sequence++) {
      assertThat(listener.frames.get(sequence).payload()).isEqualTo(PlatformJson.frame(sequence));
    }
    return listener;
  }
}
