package dev.callstream.core.pcm;

import static dev.callstream.core.recording.CallRecorderTest.frame;
import static dev.callstream.core.recording.CallRecorderTest.pcmSession;
import static dev.callstream.core.recording.CallRecorderTest.samples;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.callstream.core.AudioChannel;
import dev.callstream.core.CallStreamListener;
import dev.callstream.core.EndReason;
import dev.callstream.core.FakeCallSession;
import dev.callstream.core.Segment;
import dev.callstream.core.audio.AudioFormat;
import dev.callstream.core.recording.CallRecorderTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sound.sampled.AudioInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PcmStreamTest {

  private final ExecutorService readers = Executors.newCachedThreadPool();
  private final FakeCallSession session = pcmSession("pcm", "1");

  @AfterEach
  void stopReaders() throws InterruptedException {
    readers.shutdownNow();
    assertThat(readers.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void aReaderOnAnotherThreadGetsEveryFrameInOrder() throws Exception {
    PcmStreamListener listener = new PcmStreamListener();
    PcmStream stream = listener.open(PcmStream.Layout.CONFERENCE, Duration.ofSeconds(30));
    Future<short[]> read = readers.submit(() -> samplesOf(readAll(stream, 4096)));
    startCall(listener);
    for (int n = 0; n < 1000; n++) {
      listener.onAudio(session, frame(AudioChannel.CONFERENCE, n));
      listener.onAudio(session, frame(AudioChannel.AGENT, n));
    }
    listener.onEnd(session, EndReason.STOPPED, null);

    short[] expected = new short[1000 * 160];
    for (int n = 0; n < 1000; n++) {
      System.arraycopy(samples(AudioChannel.CONFERENCE, n), 0, expected, n * 160, 160);
    }
    assertThat(read.get(10, TimeUnit.SECONDS)).isEqualTo(expected);
    assertThat(stream.droppedBytes()).isZero();
  }

  @Test
  void aSlowReaderLosesTheOldestAudioCountedAndTheWriterNeverWaits() throws Exception {
    PcmStreamListener listener = new PcmStreamListener();
    PcmStream stream = listener.open(PcmStream.Layout.AGENT);
    long startNanos = System.nanoTime();
    for (int n = 0; n < 250; n++) { // 5 s of audio into a 2 s buffer, nobody reading
      listener.onAudio(session, frame(AudioChannel.AGENT, n));
    }
    listener.onEnd(session, EndReason.CLOSED, null);
    assertThat(Duration.ofNanos(System.nanoTime() - startNanos)).isLessThan(Duration.ofSeconds(2));

    assertThat(stream.droppedBytes()).isEqualTo(150 * 320);
    short[] kept = samplesOf(readAll(stream, 4096));
    assertThat(kept).hasSize(100 * 160);
    for (int n = 150; n < 250; n++) {
      assertThat(java.util.Arrays.copyOfRange(kept, (n - 150) * 160, (n - 149) * 160))
          .containsExactly(samples(AudioChannel.AGENT, n));
    }
  }

  @Test
  void droppingKeepsAHalfReadSampleSoTheReaderStaysAligned() throws Exception {
    PcmStreamListener listener = new PcmStreamListener();
    PcmStream stream = listener.open(PcmStream.Layout.AGENT, Duration.ofMillis(40)); // two frames
    listener.onAudio(session, frame(AudioChannel.AGENT, 0));
    int low = stream.read();
    for (int n = 1; n < 5; n++) {
      listener.onAudio(session, frame(AudioChannel.AGENT, n));
    }
    listener.onEnd(session, EndReason.CLOSED, null);
    int high = stream.read();
    assertThat((short) (low | high << 8)).isEqualTo(samples(AudioChannel.AGENT, 0)[0]);
    short[] rest = samplesOf(readAll(stream, 7));
    // What follows the half-read sample is whole samples of the newest audio, ending with frame 4.
    assertThat(rest.length).isLessThanOrEqualTo(320);
    short[] last = samples(AudioChannel.AGENT, 4);
    assertThat(java.util.Arrays.copyOfRange(rest, rest.length - 160, rest.length)).containsExactly(last);
    assertThat(stream.droppedBytes()).isEqualTo(5 * 320 - 2 - rest.length * 2L);
  }

  @Test
  void readBlocksUntilTheCallEndsThenReturnsMinusOne() throws Exception {
    PcmStreamListener listener = new PcmStreamListener();
    PcmStream stream = listener.open(PcmStream.Layout.AGENT);
    listener.onAudio(session, frame(AudioChannel.AGENT, 0));
    assertThat(stream.readNBytes(320)).hasSize(320);
    Future<Integer> blocked = readers.submit(() -> stream.read());
    assertThat(blocked.isDone()).isFalse();
    listener.onEnd(session, EndReason.STOPPED, null);
    assertThat(blocked.get(5, TimeUnit.SECONDS)).isEqualTo(-1);
    assertThat(stream.read(new byte[10], 0, 10)).isEqualTo(-1);
  }

  @Test
  void gapsArriveAsSilence() throws IOException {
    PcmStreamListener listener = new PcmStreamListener();
    PcmStream stream = listener.open(PcmStream.Layout.AGENT);
    listener.onAudio(session, frame(AudioChannel.AGENT, 0));
    listener.onGap(session, session.gap(AudioChannel.AGENT, 1, 2));
    listener.onAudio(session, frame(AudioChannel.AGENT, 3));
    listener.onEnd(session, EndReason.STOPPED, null);
    short[] read = samplesOf(readAll(stream, 1000));
    assertThat(read).containsExactly(CallRecorderTest.concat(samples(AudioChannel.AGENT, 0), new short[320],
        samples(AudioChannel.AGENT, 3)));
  }

  @Test
  void stereoInterleavesAgentLeftAndConferenceRightByPosition() throws IOException {
    PcmStreamListener listener = new PcmStreamListener();
    PcmStream stream = listener.open(PcmStream.Layout.STEREO);
    for (int n = 0; n < 5; n++) {
      listener.onAudio(session, frame(AudioChannel.AGENT, n));
    }
    listener.onAudio(session, frame(AudioChannel.CONFERENCE, 0));
    listener.onGap(session, session.gap(AudioChannel.CONFERENCE, 1, 1));
    listener.onAudio(session, frame(AudioChannel.CONFERENCE, 2));
    listener.onEnd(session, EndReason.CLOSED, null);

    short[] read = samplesOf(readAll(stream, 100));
    assertThat(read).hasSize(5 * 160 * 2);
    for (int n = 0; n < 5; n++) {
      short[] left = samples(AudioChannel.AGENT, n);
      short[] right = n == 0 || n == 2 ? samples(AudioChannel.CONFERENCE, n) : new short[160];
      for (int i = 0; i < 160; i++) {
        assertThat(read[2 * (n * 160 + i)]).isEqualTo(left[i]);
        assertThat(read[2 * (n * 160 + i) + 1]).isEqualTo(right[i]);
      }
    }
    assertThat(stream.channels()).isEqualTo(2);
  }

  @Test
  void closingReleasesABlockedReaderAndTheWriterDiscardsFurtherAudio() throws Exception {
    PcmStreamListener listener = new PcmStreamListener();
    PcmStream stream = listener.open(PcmStream.Layout.AGENT);
    startCall(listener);
    Future<Integer> blocked = readers.submit(() -> stream.read());
    stream.close();
    assertThatThrownBy(() -> blocked.get(5, TimeUnit.SECONDS))
        .isInstanceOf(java.util.concurrent.ExecutionException.class).hasCauseInstanceOf(IOException.class);
    listener.onAudio(session, frame(AudioChannel.AGENT, 0));
    assertThatThrownBy(stream::available).isInstanceOf(IOException.class);
    assertThat(stream.droppedBytes()).isZero();
  }

  @Test
  void asAudioInputStreamDescribesTheCallsFormat() throws IOException {
    PcmStreamListener listener = new PcmStreamListener();
    PcmStream stream = listener.open(PcmStream.Layout.CONFERENCE);
    listener.onAudio(session, frame(AudioChannel.CONFERENCE, 0));
    listener.onEnd(session, EndReason.STOPPED, null);
    try (AudioInputStream audio = stream.asAudioInputStream()) {
      javax.sound.sampled.AudioFormat format = audio.getFormat();
      assertThat(format.getSampleRate()).isEqualTo(8000f);
      assertThat(format.getSampleSizeInBits()).isEqualTo(16);
      assertThat(format.getChannels()).isEqualTo(1);
      assertThat(format.isBigEndian()).isFalse();
      assertThat(format.getEncoding()).isEqualTo(javax.sound.sampled.AudioFormat.Encoding.PCM_SIGNED);
      assertThat(samplesOf(audio.readAllBytes())).containsExactly(samples(AudioChannel.CONFERENCE, 0));
    }
  }

  @Test
  void theFactoryHandsEachCallItsOwnStream() throws IOException {
    List<PcmStream> streams = new ArrayList<>();
    CallStreamListener.Factory factory = PcmStreamListener.factory(PcmStream.Layout.AGENT, (info, s) -> streams.add(s));
    CallStreamListener first = factory.create(session.info());
    CallStreamListener second = factory.create(session.info());
    first.onAudio(session, frame(AudioChannel.AGENT, 0));
    second.onAudio(session, frame(AudioChannel.AGENT, 1));
    first.onEnd(session, EndReason.STOPPED, null);
    second.onEnd(session, EndReason.STOPPED, null);
    assertThat(streams).hasSize(2);
    assertThat(samplesOf(readAll(streams.get(0), 64))).containsExactly(samples(AudioChannel.AGENT, 0));
    // frames sit on the call's timeline: position 1 starts 20 ms in
    assertThat(samplesOf(readAll(streams.get(1), 64)))
        .containsExactly(CallRecorderTest.concat(new short[160], samples(AudioChannel.AGENT, 1)));
  }

  private static byte[] readAll(InputStream in, int chunk) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[chunk];
    for (int n; (n = in.read(buffer, 0, chunk)) >= 0; ) {
      out.write(buffer, 0, n);
    }
    return out.toByteArray();
  }

  private static short[] samplesOf(byte[] pcm) {
    short[] samples = new short[pcm.length / 2];
    ByteBuffer.wrap(pcm).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(samples);
    return samples;
  }

  /** As the driver does: onStart, then both WebSocket segments. */
  private void startCall(CallStreamListener listener) {
    session.start(java.util.Map.of());
    listener.onStart(session);
    for (Segment segment : session.segments()) {
      listener.onSegmentStart(session, segment);
    }
  }
}
