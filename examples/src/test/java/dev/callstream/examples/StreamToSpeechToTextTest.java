package dev.callstream.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callstream.core.AudioChannel;
import dev.callstream.examples.StreamToSpeechToText.SpeechToTextClient;
import dev.callstream.server.CallStreamServer;
import dev.callstream.testkit.AudioSource;
import dev.callstream.testkit.CallResult;
import dev.callstream.testkit.CallScript;
import dev.callstream.testkit.FakeEngageVoice;
import dev.callstream.testkit.Pacing;
import dev.callstream.transport.Tls;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StreamToSpeechToTextTest {
  private static final AudioSource AGENT = AudioSource.speechLike(5);
  private static final AudioSource CALLER = AudioSource.speechLike(6);

  private final ExecutorService readers = Executors.newCachedThreadPool();
  private final Map<AudioChannel, FakeRecogniser> recognisers = new ConcurrentHashMap<>();

  @AfterEach
  void stopReaders() {
    readers.shutdownNow();
  }

  @Test
  void eachSideArrivesInOrderAndCompleteIn100msChunks() throws Exception {
    StreamToSpeechToText example = new StreamToSpeechToText(
        (call, side) -> recognisers.computeIfAbsent(side, s -> new FakeRecogniser(Duration.ZERO)),
        readers, Duration.ofSeconds(10)); // the whole 3 s call fits: nothing may be dropped
    AudioSource agent = AGENT.limit(Duration.ofSeconds(3));
    AudioSource caller = CALLER.limit(Duration.ofSeconds(3));

    CallResult call = play(example, agent, caller);

    assertThat(call.completed()).isTrue();
    MulawReference reference = MulawReference.load();
    for (AudioChannel side : AudioChannel.values()) {
      FakeRecogniser recogniser = recognisers.get(side);
      assertThat(recogniser.finished.await(10, TimeUnit.SECONDS)).as("%s finished", side).isTrue();
      assertThat(recogniser.chunkSizes).hasSize(30).containsOnly(StreamToSpeechToText.CHUNK_BYTES);
      assertThat(recogniser.audio()).isEqualTo(reference.decode(side == AudioChannel.AGENT ? agent : caller));
    }
    assertThat(example.droppedBytes()).isZero();
  }

  @Test
  void aSlowRecogniserLosesTheOldestAudioButDoesNotHoldUpTheCall() throws Exception {
    StreamToSpeechToText example = new StreamToSpeechToText(
        (call, side) -> recognisers.computeIfAbsent(side, s -> new FakeRecogniser(Duration.ofMillis(200))),
        readers, Duration.ofSeconds(1));
    AudioSource agent = AGENT.limit(Duration.ofSeconds(10));
    AudioSource caller = CALLER.limit(Duration.ofSeconds(10));

    // Transcribing 10 s at 200 ms per 100 ms chunk would take 20 s; the call must not wait for that.
    CallResult call = play(example, agent, caller);

    assertThat(call.completed()).isTrue();
    assertThat(call.closeCode()).isEqualTo(1000);
    assertThat(call.elapsed()).isLessThan(Duration.ofSeconds(8));
    assertThat(recognisers.values()).allSatisfy(r -> assertThat(r.finished.getCount()).isOne()); // still busy

    MulawReference reference = MulawReference.load();
    long received = 0;
    for (AudioChannel side : AudioChannel.values()) {
      FakeRecogniser recogniser = recognisers.get(side);
      assertThat(recogniser.finished.await(10, TimeUnit.SECONDS)).as("%s finished", side).isTrue();
      byte[] heard = recogniser.audio();
      byte[] sent = reference.decode(side == AudioChannel.AGENT ? agent : caller);
      // The newest audio is never the one dropped: the last half second arrives intact.
      assertThat(Arrays.copyOfRange(heard, heard.length - 8000, heard.length))
          .isEqualTo(Arrays.copyOfRange(sent, sent.length - 8000, sent.length));
      received += heard.length;
    }
    assertThat(example.droppedBytes()).isPositive();
    assertThat(received + example.droppedBytes()).isEqualTo(2 * 10 * 16_000); // every byte delivered or counted
  }

  private static CallResult play(StreamToSpeechToText example, AudioSource agent, AudioSource caller) {
    try (CallStreamServer server = CallStreamServer.builder().port(0).tls(Tls.selfSigned())
            .listenerFactory(example).build().start();
        FakeEngageVoice platform = FakeEngageVoice.builder(server.uri())
            .sslContext(server.tls().clientContext()).pacing(Pacing.FLOOD).build()) {
      return platform.play(CallScript.builder().agent(agent).conference(caller).build());
    }
  }

  /** Records the chunks it is sent; sleeps per chunk to play a recogniser slower than the call. */
  private static final class FakeRecogniser implements SpeechToTextClient {
    final List<Integer> chunkSizes = new CopyOnWriteArrayList<>();
    final CountDownLatch finished = new CountDownLatch(1);
    private final ByteArrayOutputStream audio = new ByteArrayOutputStream();
    private final Duration delay;

    FakeRecogniser(Duration delay) {
      this.delay = delay;
    }

    @Override
    public void send(byte[] chunk) {
      try {
        Thread.sleep(delay.toMillis()); // simulated slowness of the recogniser, not synchronisation
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      chunkSizes.add(chunk.length);
      synchronized (audio) {
        audio.writeBytes(chunk);
      }
    }

    @Override
    public void finish() {
      finished.countDown();
    }

    byte[] audio() {
      synchronized (audio) {
        return audio.toByteArray();
      }
    }
  }
}
