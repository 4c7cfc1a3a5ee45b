package dev.callstream.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.callstream.core.CallStreamListener;
import dev.callstream.testsupport.G711Reference;
import dev.callstream.testsupport.Wav;
import dev.callstream.core.audio.AudioFormat;
import dev.callstream.core.recording.CallRecorder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Done-when's independent consumer: {@code rebuild_calls.py} (test resources), written from
 * docs/KAFKA.md alone with Debian's {@code python3-confluent-kafka} (librdkafka), reads the topic
 * and rebuilds every call's audio; its samples must equal the audio the test sent, decoded with
 * the ITU-T reference tables, with silence exactly where frames were lost.
 */
class PythonConsumerTest {
  private static final String PYTHON = "/usr/bin/python3";
  static TestBroker broker;

  @TempDir Path dir;

  @BeforeAll
  static void start() throws Exception {
    boolean available;
    try {
      Process probe = new ProcessBuilder(PYTHON, "-c", "import confluent_kafka").redirectErrorStream(true).start();
      available = probe.waitFor(30, TimeUnit.SECONDS) && probe.exitValue() == 0;
    } catch (IOException e) {
      available = false;
    }
    Assumptions.assumeTrue(available,
        "skipped: needs /usr/bin/python3 with confluent_kafka (apt-get install python3-confluent-kafka)");
    broker = TestBroker.start();
  }

  @AfterAll
  static void stop() {
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void aPythonConsumerRebuildsEveryCallBitExactFromTheTopic() throws Exception {
    broker.createTopic("python", 2);
    Path live = dir.resolve("live");
    List<LiveCalls.Call> calls = new ArrayList<>();
    try (KafkaCallPublisher publisher = KafkaCallPublisher.builder(broker.bootstrap()).topic("python").start()) {
      CallRecorder recorder = CallRecorder.builder(live).callJsonExtras(publisher.callJsonExtras()).build();
      CallStreamListener.Factory factory = CallStreamListener.Factory.all(recorder, publisher);
      for (int i = 0; i < 4; i++) {
        // lengths chosen so that no call's last frame is one the script loses (a lost last frame is no gap)
        LiveCalls.Call call = new LiveCalls.Call("py-" + i, 300 + 7 * i, 500 + i, factory);
        if (i == 3) {
          call.format = new AudioFormat(AudioFormat.Encoding.ALAW, 8000);
        }
        call.begin();
        calls.add(call);
      }
      // interleaved frame by frame, with the script's losses, swaps and duplicates
      for (int n = 0; n < 321; n++) {
        for (LiveCalls.Call call : calls) {
          if (!call.done()) {
            call.step();
          }
        }
      }
      calls.forEach(LiveCalls.Call::finish);
      assertThat(publisher.flush(Duration.ofSeconds(30))).isTrue();
      assertThat(publisher.dropped()).isZero();
    }

    Path out = dir.resolve("python");
    Path script = Path.of(PythonConsumerTest.class.getResource("/python/rebuild_calls.py").toURI());
    Path log = dir.resolve("python.log");
    Process python = new ProcessBuilder(PYTHON, script.toString(), broker.bootstrap(), "python", out.toString(), "60")
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    assertThat(python.waitFor(90, TimeUnit.SECONDS)).as("the Python consumer finishes").isTrue();
    String output = Files.readString(log);
    assertThat(python.exitValue()).as(output).isZero();
    List<String> lines = output.lines().toList();
    JsonNode summary = RecordingFiles.JSON.readTree(lines.get(lines.size() - 1));
    assertThat(summary.get("calls").asInt()).as(output).isEqualTo(4);
    assertThat(summary.get("partitions").asInt()).isEqualTo(2);

    for (LiveCalls.Call call : calls) {
      String key = call.callId + "-s1";
      Path folder = out.resolve(key);
      short[] agent = samples(folder.resolve("agent.s16"));
      short[] conference = samples(folder.resolve("conference.s16"));
      boolean alaw = call.format.encoding() == AudioFormat.Encoding.ALAW;
      assertThat(agent).as(key + " agent").isEqualTo(expected(call.agent, alaw, n -> n % 97 == 10));
      assertThat(conference).as(key + " conference").isEqualTo(expected(call.conference, alaw, n -> n % 113 == 40));
      // and so the same samples as the live recording
      assertThat(agent).isEqualTo(Wav.read(live.resolve(key).resolve("agent.wav")).samples());
      assertThat(conference).isEqualTo(Wav.read(live.resolve(key).resolve("conference.wav")).samples());
      JsonNode end = RecordingFiles.JSON.readTree(folder.resolve("call-end.json").toFile());
      assertThat(end.get("endReason").asText()).isEqualTo("stopped");
      assertThat(end.get("kafkaDropped").asLong()).isZero();
    }
  }

  /** What was sent, decoded with the reference tables; the frames the script never sent are silence. */
  private static short[] expected(byte[][] frames, boolean alaw, java.util.function.IntPredicate lost) {
    short[] table = alaw ? G711Reference.alaw() : G711Reference.mulaw();
    short[] samples = new short[frames.length * 160];
    for (int n = 0; n < frames.length; n++) {
      if (lost.test(n)) {
        continue;
      }
      for (int i = 0; i < 160; i++) {
        samples[n * 160 + i] = table[frames[n][i] & 0xFF];
      }
    }
    return samples;
  }

  private static short[] samples(Path file) throws IOException {
    ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    short[] samples = new short[bytes.remaining() / 2];
    bytes.asShortBuffer().get(samples);
    return samples;
  }
}
