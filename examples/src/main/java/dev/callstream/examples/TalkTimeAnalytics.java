package dev.callstream.examples;

import dev.callstream.core.AudioChannel;
import dev.callstream.core.AudioFrame;
import dev.callstream.core.CallSession;
import dev.callstream.core.CallStreamListener;
import dev.callstream.core.EndReason;
import dev.callstream.server.CallStreamServer;
import dev.callstream.server.Tls;
import java.time.Duration;
import java.util.function.BiConsumer;

/**
 * Talk-time figures computed live from the audio alone: how long the agent and the caller spoke, how
 * long both spoke at once (overtalk) and the longest stretch when nobody spoke.
 *
 * <p>A simple energy voice activity detector decides for every 20 ms frame of each side: speech when
 * the frame's RMS level exceeds {@link #SPEECH_RMS}, held for a short hangover across the dips
 * between syllables. The two sides are paired slot by slot by {@link AudioFrame#position()}; gaps
 * count as silence. One instance per call, used by that call's sequential callbacks.
 */
public final class TalkTimeAnalytics implements CallStreamListener {

  /** A call's figures; each a multiple of 20 ms. */
  public record Summary(Duration agentTalk, Duration callerTalk, Duration overtalk, Duration longestSilence) {}

  static final double SPEECH_RMS = 500;  // about -36 dBFS: speech is far above, line noise below
  static final int HANGOVER_FRAMES = 3;  // 60 ms
  private static final int MAX_SKEW = 50; // slots a side may run ahead before the other counts as silent (< 64)

  private final BiConsumer<CallSession, Summary> onSummary;
  private final long[] recent = new long[2]; // per side, bit (slot % 64) set when speaking in that slot
  private final long[] heard = new long[2];  // per side, slots received (positions have no holes)
  private final int[] hangover = new int[2];
  private long counted, agentSlots, callerSlots, bothSlots, silentRun, longestSilentRun;

  private TalkTimeAnalytics(BiConsumer<CallSession, Summary> onSummary) {
    this.onSummary = onSummary;
  }

  /** One analyser per call, handing its summary to {@code onSummary} when the call ends. */
  public static CallStreamListener.Factory factory(BiConsumer<CallSession, Summary> onSummary) {
    return call -> new TalkTimeAnalytics(onSummary);
  }

  @Override
  public void onAudio(CallSession session, AudioFrame frame) {
    int side = frame.channel().stereoIndex();
    short[] samples = frame.samples();
    double energy = 0;
    for (short sample : samples) {
      energy += sample * sample;
    }
    boolean voice = Math.sqrt(energy / samples.length) > SPEECH_RMS;
    boolean speaking = voice || hangover[side] > 0;
    hangover[side] = voice ? HANGOVER_FRAMES : Math.max(0, hangover[side] - 1);
    record(side, frame.position(), speaking);
  }

  @Override
  public void onGap(CallSession session, AudioChannel channel, long fromPosition, int frameCount) {
    for (long slot = fromPosition; slot < fromPosition + frameCount; slot++) {
      record(channel.stereoIndex(), slot, false);
    }
  }

  @Override
  public void onEnd(CallSession session, EndReason reason, Throwable cause) {
    while (counted < Math.max(heard[0], heard[1])) {
      countSlot();
    }
    onSummary.accept(session, summary());
  }

  /** The figures so far. */
  public Summary summary() {
    return new Summary(Duration.ofMillis(20 * agentSlots), Duration.ofMillis(20 * callerSlots),
        Duration.ofMillis(20 * bothSlots), Duration.ofMillis(20 * longestSilentRun));
  }

  private void record(int side, long slot, boolean speaking) {
    if (slot < counted) {
      return; // this side was over a second late; the slot already counted as silence
    }
    recent[side] = speaking ? recent[side] | 1L << slot : recent[side] & ~(1L << slot); // shifts use slot % 64
    heard[side] = slot + 1;
    while (counted < Math.min(heard[0], heard[1]) || Math.max(heard[0], heard[1]) - counted > MAX_SKEW) {
      countSlot();
    }
  }

  private void countSlot() {
    boolean agent = speaking(0, counted), caller = speaking(1, counted);
    agentSlots += agent ? 1 : 0;
    callerSlots += caller ? 1 : 0;
    bothSlots += agent && caller ? 1 : 0;
    silentRun = agent || caller ? 0 : silentRun + 1;
    longestSilentRun = Math.max(longestSilentRun, silentRun);
    counted++;
  }

  private boolean speaking(int side, long slot) {
    return slot < heard[side] && (recent[side] >>> slot & 1) == 1;
  }

  public static void main(String[] args) throws InterruptedException {
    CallStreamServer server = CallStreamServer.builder().port(3333)
        .tls(Tls.selfSigned()) // production: Tls.pem(chain, key) or Tls.pkcs12(keystore, password)
        .listenerFactory(factory((call, summary) -> System.out.println(call.callId() + ": " + summary)))
        .build().start();
    System.out.println("listening on " + server.uri());
    Runtime.getRuntime().addShutdownHook(new Thread(server::close));
    Thread.currentThread().join(); // serve until Ctrl-C
  }
}
