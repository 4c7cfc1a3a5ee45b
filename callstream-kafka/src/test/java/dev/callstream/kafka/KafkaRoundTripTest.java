package dev.callstream.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.callstream.core.CallStreamListener;
import dev.callstream.testsupport.G711Reference;
import dev.callstream.testsupport.Wav;
import dev.callstream.core.recording.CallRecorder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaRoundTripTest {
  static TestBroker broker;

  @TempDir Path dir;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = TestBroker.start();
  }

  @AfterAll
  static void stopBroker() throws Exception {
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void replayedCallsAreByteIdenticalToTheLiveRecordingAcrossPartitions() throws Exception {
    broker.createTopic("calls", 3);
    Path live = dir.resolve("live");
    Path replay = dir.resolve("replay");
    Tracer liveTrace = new Tracer();
    try (KafkaCallPublisher publisher = KafkaCallPublisher.builder(broker.bootstrap()).topic("calls").start()) {
      CallRecorder recorder = CallRecorder.builder(live).callJsonExtras(publisher.callJsonExtras()).build();
      LiveCalls.run(CallStreamListener.Factory.all(recorder, publisher, liveTrace), 6, 400, 42);
      assertThat(publisher.flush(Duration.ofSeconds(30))).isTrue();
      assertThat(publisher.dropped()).isZero();
    }
    JsonNode liveJson = RecordingFiles.callJson(live.resolve("call-0-s1"));
    assertThat(liveJson.get("kafkaDropped").asLong()).isZero();
    assertThat(liveJson.at("/channels/agent/gaps").asLong()).as("the script loses frames").isPositive();

    Tracer replayTrace = new Tracer();
    CallRecorder replayRecorder = CallRecorder.create(replay);
    try (KafkaCallSource source = KafkaCallSource.builder(broker.bootstrap(),
            CallStreamListener.Factory.all(replayRecorder, replayTrace))
        .topic("calls").group("roundtrip").consumers(2).start()) {
      await().atMost(Duration.ofSeconds(60)).until(() -> source.callsEnded() == 6);
    }
    RecordingFiles.assertSameWavs(live, replay);
    assertThat(replayTrace.calls).isEqualTo(liveTrace.calls);
    assertThat(replayTrace.ends.values()).containsOnly(1);
    JsonNode replayJson = RecordingFiles.callJson(replay.resolve("call-0-s1"));
    for (String field : List.of("callId", "sessionId", "transport", "query", "start", "stops", "complete", "endReason",
        "channels")) {
      assertThat(replayJson.get(field)).as(field).isEqualTo(liveJson.get(field));
    }
    assertThat(replayJson.at("/query/secret").asText()).isEqualTo("***");
  }

  @Test
  void anyConsumerRebuildsTheAudioFromTheDocumentedRecordsAlone() throws Exception {
    broker.createTopic("plain", 2);
    Path live = dir.resolve("live");
    try (KafkaCallPublisher publisher = KafkaCallPublisher.builder(broker.bootstrap()).topic("plain").start()) {
      CallRecorder recorder = CallRecorder.builder(live).callJsonExtras(publisher.callJsonExtras()).build();
      LiveCalls.run(CallStreamListener.Factory.all(recorder, publisher), 3, 300, 7);
      assertThat(publisher.flush(Duration.ofSeconds(30))).isTrue();
    }
    List<ConsumerRecord<byte[], byte[]>> records = readAll("plain", 2);
    Map<String, List<String>> types = new HashMap<>();
    Map<String, Map<Long, byte[]>> agentAudio = new HashMap<>();
    Map<String, Long> agentLength = new HashMap<>();
    Set<Integer> partitions = new HashSet<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      String key = new String(r.key(), StandardCharsets.UTF_8);
      partitions.add(r.partition());
      String type = header(r, "callstream-event");
      types.computeIfAbsent(key, k -> new ArrayList<>()).add(type);
      if (type.equals("call-start")) {
        String json = new String(r.value(), StandardCharsets.UTF_8);
        assertThat(json).doesNotContain("do-not-publish").doesNotContain("hidden");
      }
      if ("agent".equals(header(r, "channel")) && type.equals("audio")) {
        assertThat(header(r, "codec")).isEqualTo("PCMU");
        long position = Long.parseLong(header(r, "position"));
        agentAudio.computeIfAbsent(key, k -> new HashMap<>()).put(position, r.value());
        agentLength.merge(key, position + 1, Math::max);
      }
      if ("agent".equals(header(r, "channel")) && type.equals("gap")) {
        long end = Long.parseLong(header(r, "position")) + Long.parseLong(header(r, "count"));
        agentLength.merge(key, end, Math::max);
      }
    }
    assertThat(types).containsOnlyKeys("call-0-s1", "call-1-s1", "call-2-s1");
    for (List<String> t : types.values()) {
      assertThat(t.get(0)).isEqualTo("call-start");
      assertThat(t.get(t.size() - 1)).isEqualTo("call-end");
      assertThat(t).contains("audio", "gap", "stop");
    }
    for (String key : types.keySet()) {
      short[] rebuilt = new short[(int) (agentLength.get(key) * 160)];
      agentAudio.get(key).forEach((position, bytes) ->
          System.arraycopy(G711Reference.decodeMulaw(bytes), 0, rebuilt, (int) (position * 160), 160));
      assertThat(rebuilt).as(key).isEqualTo(Wav.read(live.resolve(key).resolve("agent.wav")).samples());
    }
  }

  @Test
  void aTopicThatDoesNotExistIsAClearError() {
    assertThatThrownBy(() -> KafkaCallPublisher.builder(broker.bootstrap()).topic("nope").start())
        .isInstanceOf(KafkaCallException.class).hasMessageContaining("topic nope does not exist");
    assertThatThrownBy(() -> KafkaCallSource.builder(broker.bootstrap(), CallStreamListener.Factory.NONE)
        .topic("nope").start())
        .isInstanceOf(KafkaCallException.class).hasMessageContaining("topic nope does not exist");
  }

  @Test
  void aRecordTooLargeIsDroppedAndCountedAndTheCallGoesOn() throws Exception {
    broker.createTopic("large", 1);
    Path live = dir.resolve("live");
    Path replay = dir.resolve("replay");
    try (KafkaCallPublisher publisher = KafkaCallPublisher.builder(broker.bootstrap()).topic("large").start()) {
      CallRecorder recorder = CallRecorder.builder(live).callJsonExtras(publisher.callJsonExtras()).build();
      LiveCalls.Call call = new LiveCalls.Call("big", 100, 3, CallStreamListener.Factory.all(recorder, publisher));
      call.begin();
      for (int n = 0; n < 100; n++) {
        // frame 50 of the agent is 2 MB: beyond the producer's max.request.size
        call.driver.media("agent", n, n == 50 ? new byte[2 << 20] : call.agent[n]);
        call.driver.media("conference", n, call.conference[n]);
      }
      assertThat(publisher.flush(Duration.ofSeconds(30))).isTrue();
      call.finish();
      assertThat(publisher.flush(Duration.ofSeconds(30))).isTrue();
      assertThat(publisher.dropped()).isEqualTo(1);
    }
    JsonNode liveJson = RecordingFiles.callJson(live.resolve("big-s1"));
    assertThat(liveJson.get("kafkaDropped").asLong()).isEqualTo(1);
    assertThat(liveJson.get("complete").asBoolean()).isTrue();

    try (KafkaCallSource source = KafkaCallSource.builder(broker.bootstrap(), CallRecorder.create(replay))
        .topic("large").group("large").start()) {
      await().atMost(Duration.ofSeconds(60)).until(() -> source.callsEnded() == 1);
    }
    short[] liveAgent = Wav.read(live.resolve("big-s1/agent.wav")).samples();
    short[] replayAgent = Wav.read(replay.resolve("big-s1/agent.wav")).samples();
    assertThat(replayAgent).hasSameSizeAs(liveAgent);
    for (int i = 0; i < liveAgent.length; i++) {
      short expected = i / 160 == 50 ? 0 : liveAgent[i]; // the dropped frame is silence in the replay
      if (replayAgent[i] != expected) {
        assertThat(replayAgent[i]).as("sample " + i).isEqualTo(expected);
      }
    }
    assertThat(Wav.read(replay.resolve("big-s1/conference.wav")).samples())
        .isEqualTo(Wav.read(live.resolve("big-s1/conference.wav")).samples());
    assertThat(RecordingFiles.callJson(replay.resolve("big-s1")).at("/channels/agent/gaps").asLong()).isEqualTo(1);
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private static List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int partitions) {
    Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> tps = new ArrayList<>();
      for (int p = 0; p < partitions; p++) {
        tps.add(new TopicPartition(topic, p));
      }
      consumer.assign(tps);
      consumer.seekToBeginning(tps);
      Map<TopicPartition, Long> end = consumer.endOffsets(tps);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (tps.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }
}
