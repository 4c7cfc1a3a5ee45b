package dev.callstream.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.callstream.core.AudioChannel;
import dev.callstream.core.audio.G711;
import dev.callstream.server.wire.Media;
import org.junit.jupiter.api.Test;

/** Runs single operations of the benchmark code (no benchmark is run): they measure what they claim. */
class BenchSmokeTest {

  @Test
  void codecBenchmarkDecodesTheMessagesItEncodedToPcm() {
    CodecBenchmark benchmark = new CodecBenchmark();
    benchmark.setUp();

    Media first = benchmark.parseMediaString();
    Media second = benchmark.parseMediaString();
    byte[] pcm = benchmark.parseAndDecodePcm().clone();

    assertThat(first.channel()).isEqualTo(AudioChannel.AGENT);
    assertThat(first.sequence()).isEqualTo(1000);
    assertThat(second.channel()).isEqualTo(AudioChannel.CONFERENCE);
    assertThat(first.payload()).hasSize(160);
    // the third message, decoded again on its own: same samples
    CodecBenchmark reference = new CodecBenchmark();
    reference.setUp();
    reference.parseMediaString();
    reference.parseMediaString();
    Media third = reference.parseMediaString();
    for (int i = 0; i < 160; i++) {
      short sample = (short) ((pcm[2 * i] & 0xff) | (pcm[2 * i + 1] << 8));
      assertThat(sample).isEqualTo(G711.mulawToPcm(third.payload()[i]));
    }
    // the bytes variant decodes the fourth message to the same samples as the String path does
    byte[] fromBytes = benchmark.parseAndDecodePcmBytes().clone();
    Media fourth = reference.parseMediaString();
    for (int i = 0; i < 160; i++) {
      short sample = (short) ((fromBytes[2 * i] & 0xff) | (fromBytes[2 * i + 1] << 8));
      assertThat(sample).isEqualTo(G711.mulawToPcm(fourth.payload()[i]));
    }
  }

  @Test
  void prototypeDecoderAgreesWithTheCodec() throws Exception {
    dev.callstream.server.wire.StreamCodec codec = new dev.callstream.server.wire.StreamCodec();
    java.util.Random random = new java.util.Random(7);
    for (int length = 0; length <= 200; length++) {
      byte[] audio = new byte[length];
      random.nextBytes(audio);
      String message = codec.encode(new Media(AudioChannel.CONFERENCE, length, audio));

      Media decoded = new PrototypeMediaDecoder().decode(message);
      Media scanned = PrototypeMediaScanner.scan(message);

      assertThat(decoded).isEqualTo(codec.decode(message));
      assertThat(scanned).isEqualTo(codec.decode(message));
    }
    // the documented example's shape (spaces, string sequence id) is scanned; anything unusual is left to the codec
    assertThat(PrototypeMediaScanner.scan("{ \"event\": \"Media\", \"perspective\": \"Participant\", \"sequenceId\": \"1\", \"media\": \"QUI=\" }"))
        .isEqualTo(new Media(AudioChannel.AGENT, 1, new byte[] {'A', 'B'}));
    assertThat(PrototypeMediaScanner.scan("{\"event\":\"Media\",\"perspective\":\"Participant\",\"media\":\"QU\\u0049=\"}")).isNull();
    assertThat(PrototypeMediaScanner.scan("{\"event\":\"Start\",\"metadata\":{}}")).isNull();
    assertThat(PrototypeMediaDecoder.base64("QUJDé".toCharArray(), 0, 5)).isNull();
    assertThat(PrototypeMediaDecoder.base64("QU*D".toCharArray(), 0, 4)).isNull();
    assertThat(PrototypeMediaDecoder.base64("QUI=".toCharArray(), 0, 4)).containsExactly('A', 'B');
  }

  @Test
  void sequencerBenchmarkDeliversEveryFrameInOrder() {
    SequencerBenchmark benchmark = new SequencerBenchmark();
    benchmark.newCall(new org.openjdk.jmh.infra.Blackhole(
        "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous."));
    for (int i = 0; i < 100; i++) {
      assertThat(benchmark.driverNoOpListener()).isTrue();
    }
  }

  @Test
  void histogramPercentilesAreWithinTheBucketError() throws Exception {
    LatencyHistogram histogram = new LatencyHistogram();
    for (int us = 1; us <= 10_000; us++) {
      histogram.recordMicros(us);
    }
    JsonNode json = new ObjectMapper().readTree(histogram.toJson());

    assertThat(json.get("count").asLong()).isEqualTo(10_000);
    assertThat(json.get("p50us").asDouble()).isCloseTo(5_000, within(5_000 * 0.035));
    assertThat(json.get("p99us").asDouble()).isCloseTo(9_900, within(9_900 * 0.035));
    assertThat(json.get("maxus").asDouble()).isCloseTo(10_000, within(10_000 * 0.035));
    histogram.reset();
    assertThat(histogram.toJson()).contains("\"count\":0");
  }

  @Test
  void probeAudioCarriesTheSendTimeInItsFirstEightBytes() {
    ProbeAudio audio = new ProbeAudio(10);
    byte[] frame = new byte[160];

    long before = System.nanoTime();
    audio.readFrame(3, frame);
    long after = System.nanoTime();

    assertThat(ProbeAudio.timestamp(frame)).isBetween(before, after);
    assertThat(audio.handedOut()).isEqualTo(1);
    assertThat(ProbeAudio.timestamp(new byte[4])).isEqualTo(Long.MIN_VALUE);
  }
}
