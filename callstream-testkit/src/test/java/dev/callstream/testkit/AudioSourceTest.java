package dev.callstream.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.callstream.core.audio.G711;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AudioSourceTest {
  @TempDir Path dir;

  /** A WAV file: fmt chunk fields, then the given extra chunks before data. */
  private static byte[] wav(int format, int channels, int rate, int bits, byte[] data, byte[]... chunksBeforeData) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes("WAVE".getBytes(StandardCharsets.US_ASCII));
    ByteBuffer fmt = ByteBuffer.allocate(8 + 16).order(ByteOrder.LITTLE_ENDIAN);
    fmt.put("fmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16)
        .putShort((short) format).putShort((short) channels).putInt(rate)
        .putInt(rate * channels * bits / 8).putShort((short) (channels * bits / 8)).putShort((short) bits);
    body.writeBytes(fmt.array());
    for (byte[] chunk : chunksBeforeData) {
      body.writeBytes(chunk);
    }
    body.writeBytes(chunk("data", data));
    byte[] riff = body.toByteArray();
    ByteBuffer out = ByteBuffer.allocate(8 + riff.length).order(ByteOrder.LITTLE_ENDIAN);
    out.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(riff.length).put(riff);
    return out.array();
  }

  private static byte[] chunk(String id, byte[] content) {
    ByteBuffer chunk = ByteBuffer.allocate(8 + content.length + (content.length & 1)).order(ByteOrder.LITTLE_ENDIAN);
    chunk.put(id.getBytes(StandardCharsets.US_ASCII)).putInt(content.length).put(content);
    return chunk.array();
  }

  private static byte[] frame(AudioSource source, long index) {
    byte[] frame = new byte[AudioSource.FRAME_BYTES];
    source.readFrame(index, frame);
    return frame;
  }

  @Test
  void pcmWavIsEncodedToMulawSampleBySample() throws Exception {
    short[] samples = new short[250];
    ByteBuffer pcm = ByteBuffer.allocate(500).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < samples.length; i++) {
      samples[i] = (short) (i * 131 - 16000);
      pcm.putShort(samples[i]);
    }
    Path file = dir.resolve("agent.wav");
    // an odd-sized LIST chunk (with its pad byte) before data must be skipped
    Files.write(file, wav(1, 1, 8000, 16, pcm.array(), chunk("LIST", new byte[] {1, 2, 3})));

    AudioSource source = AudioSource.fromFile(file);

    assertThat(source.frameCount()).isEqualTo(2);
    byte[] first = frame(source, 0);
    byte[] second = frame(source, 1);
    for (int i = 0; i < 160; i++) {
      assertThat(first[i]).isEqualTo(G711.pcmToMulaw(samples[i]));
    }
    for (int i = 0; i < 90; i++) {
      assertThat(second[i]).isEqualTo(G711.pcmToMulaw(samples[160 + i]));
    }
    for (int i = 90; i < 160; i++) {
      assertThat(second[i]).as("padding").isEqualTo((byte) 0xFF);
    }
  }

  @Test
  void mulawWavAndRawUlAreUsedAsIs() throws Exception {
    byte[] mulaw = new byte[320];
    for (int i = 0; i < mulaw.length; i++) {
      mulaw[i] = (byte) i;
    }
    Path wav = dir.resolve("conference.wav");
    Files.write(wav, wav(7, 1, 8000, 8, mulaw, chunk("fact", new byte[4])));
    Path raw = dir.resolve("conference.ul");
    Files.write(raw, mulaw);

    for (AudioSource source : new AudioSource[] {AudioSource.fromFile(wav), AudioSource.fromFile(raw)}) {
      assertThat(source.frameCount()).isEqualTo(2);
      assertThat(frame(source, 1)).isEqualTo(java.util.Arrays.copyOfRange(mulaw, 160, 320));
    }
  }

  @Test
  void refusesOtherFormatsNamingWhatItFound() throws Exception {
    Path stereo = dir.resolve("stereo.wav");
    Files.write(stereo, wav(1, 2, 8000, 16, new byte[640]));
    Path wideband = dir.resolve("16k.wav");
    Files.write(wideband, wav(1, 1, 16000, 16, new byte[640]));
    Path alaw = dir.resolve("alaw.wav");
    Files.write(alaw, wav(6, 1, 8000, 8, new byte[640]));
    Path mp3 = dir.resolve("song.mp3");
    Files.write(mp3, new byte[] {'I', 'D', '3', 4});

    assertThatThrownBy(() -> AudioSource.fromFile(stereo)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("mono").hasMessageContaining("2 channel");
    assertThatThrownBy(() -> AudioSource.fromFile(wideband)).hasMessageContaining("16000 Hz");
    assertThatThrownBy(() -> AudioSource.fromFile(alaw)).hasMessageContaining("format 6");
    assertThatThrownBy(() -> AudioSource.fromFile(mp3)).hasMessageContaining("not a WAV file");
  }

  @Test
  void toneIsTheSineItDescribes() {
    AudioSource tone = AudioSource.tone(1000, 0.5);
    byte[] frame = frame(tone, 3);
    for (int i = 0; i < 160; i++) {
      long n = 3 * 160 + i;
      double expected = 0.5 * 32767 * Math.sin(2 * Math.PI * 1000 * n / 8000);
      // mu-law is within a few percent of full scale in the loud segments
      assertThat((double) G711.mulawToPcm(frame[i])).isCloseTo(expected, org.assertj.core.data.Offset.offset(600.0));
    }
    assertThat(frame(AudioSource.tone(440.5, 0.3), 7)).isEqualTo(frame(AudioSource.tone(440.5, 0.3), 7));
  }

  @Test
  void speechLikeAudioIsRepeatableFromItsSeedAndHasPauses() {
    AudioSource a = AudioSource.speechLike(42);
    AudioSource b = AudioSource.speechLike(42);
    AudioSource other = AudioSource.speechLike(43);
    int silentFrames = 0;
    int loudFrames = 0;
    boolean differs = false;
    for (int k = 0; k < 400; k++) {
      byte[] frame = frame(a, k);
      assertThat(frame(b, k)).isEqualTo(frame);
      differs |= !java.util.Arrays.equals(frame, frame(other, k));
      int peak = 0;
      for (byte code : frame) {
        peak = Math.max(peak, Math.abs(G711.mulawToPcm(code)));
      }
      silentFrames += peak < 100 ? 1 : 0;
      loudFrames += peak > 2000 ? 1 : 0;
    }
    assertThat(differs).isTrue();
    assertThat(silentFrames).isGreaterThan(20);
    assertThat(loudFrames).isGreaterThan(100);
  }

  @Test
  void limitAndSilence() {
    assertThat(AudioSource.speechLike(1).limit(Duration.ofMillis(1010)).frameCount()).isEqualTo(50);
    AudioSource silence = AudioSource.silence(Duration.ofSeconds(1));
    assertThat(silence.frameCount()).isEqualTo(50);
    for (byte b : frame(silence, 49)) {
      assertThat(b).isEqualTo((byte) 0xFF);
    }
    assertThatThrownBy(() -> CallScript.builder().build()).hasMessageContaining("endless");
  }
}
