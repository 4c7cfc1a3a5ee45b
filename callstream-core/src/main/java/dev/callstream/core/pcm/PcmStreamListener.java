package dev.callstream.core.pcm;

import dev.callstream.core.AudioChannel;
import dev.callstream.core.AudioFrame;
import dev.callstream.core.CallInfo;
import dev.callstream.core.CallSession;
import dev.callstream.core.CallStreamListener;
import dev.callstream.core.EndReason;
import dev.callstream.core.Gap;
import dev.callstream.core.Segment;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

/**
 * A listener that feeds one call's audio, decoded to 16-bit PCM, into one or more
 * {@link PcmStream}s, for calls of any transport. Open the streams before handing the listener to
 * the transport (a stream opened later receives audio from then on), and read them on your own
 * threads: this listener never waits for a reader (see {@link PcmStream} for the overflow policy).
 *
 * <p>Audio is placed on the call's timeline ({@link AudioFrame#startMillis()}): a side with several
 * segments (a gRPC conference with a contact and a bot) is their mix, summed and clipped to 16 bits;
 * a participant who joins later starts later. A side's audio is handed on as soon as every active
 * segment of that side has reached it (a side with one segment: at once); a stereo stream pairs the
 * sides the same way, as {@code stereo.wav} of the recorder does, and is padded at the end so both
 * sides have the same length. Audio that comes more than a second behind what was handed on is
 * dropped and counted in {@link PcmStream#droppedBytes()}. Segments that are not decodable (Opus,
 * FLAC) or not at the call's sample rate (the first segment's) count as silence.
 *
 * <p>Every stream ends (its reader gets -1 after the buffered audio) when the call ends.
 * {@link #open} is thread-safe; the listener callbacks follow the usual contract (one call's
 * callbacks are sequential).
 */
public final class PcmStreamListener implements CallStreamListener {

  private final List<PcmStream> streams = new CopyOnWriteArrayList<>();
  private volatile int sampleRate;
  /** Agent, conference, stereo; created when the call's rate is known. */
  private final PcmMixer[] mixers = new PcmMixer[3];
  private byte[] pcm = new byte[0];
  private boolean ended;

  /** A listener with no streams yet; add them with {@link #open}. */
  public PcmStreamListener() {}

  /**
   * A factory that makes, for every call, a listener with one stream of the given layout (default
   * capacity) and hands it to {@code onCall} on the call's dispatch thread. {@code onCall} must not
   * block: start reading on your own executor.
   */
  public static CallStreamListener.Factory factory(PcmStream.Layout layout, BiConsumer<CallInfo, PcmStream> onCall) {
    Objects.requireNonNull(layout, "layout");
    Objects.requireNonNull(onCall, "onCall");
    return info -> {
      PcmStreamListener listener = new PcmStreamListener();
      onCall.accept(info, listener.open(layout));
      return listener;
    };
  }

  /** Opens a stream buffering at most {@link PcmStream#DEFAULT_CAPACITY} of audio. */
  public PcmStream open(PcmStream.Layout layout) {
    return open(layout, PcmStream.DEFAULT_CAPACITY);
  }

  /** Opens a stream buffering at most {@code capacity} of audio (at the call's sample rate). */
  public PcmStream open(PcmStream.Layout layout, Duration capacity) {
    PcmStream stream = new PcmStream(layout, capacity);
    streams.add(stream);
    int rate = sampleRate;
    if (rate != 0) {
      stream.begin(rate);
    }
    return stream;
  }

  @Override
  public void onSegmentStart(CallSession session, Segment segment) {
    begin(session, segment);
    if (ended) {
      return;
    }
    long start = segment.startMillis() * sampleRate / 1000;
    for (int m : mixersOf(segment.channel())) {
      mixers[m].join(segment, start);
    }
  }

  @Override
  public void onAudio(CallSession session, AudioFrame frame) {
    Segment segment = frame.segment();
    begin(session, segment);
    if (ended) {
      return;
    }
    int slot = slotSamples(segment);
    long at = slotStart(segment, frame.position());
    long reached = at + slot;
    if (!frame.decodable() || segment.format().sampleRate() != sampleRate) {
      for (int m : mixersOf(segment.channel())) {
        mixers[m].skip(segment, reached);
      }
      return;
    }
    if (!wants(segment.channel())) {
      for (int m : mixersOf(segment.channel())) {
        mixers[m].skip(segment, reached);
      }
      return;
    }
    int pcmBytes = frame.sampleCount() * 2;
    if (pcm.length < pcmBytes) {
      pcm = new byte[pcmBytes];
    }
    frame.decodePcm16le(pcm, 0);
    int samples = Math.min(frame.sampleCount(), slot);
    int side = segment.channel().stereoIndex();
    for (int m : mixersOf(segment.channel())) {
      mixers[m].add(segment, at, m == 2 ? side : 0, pcm, samples, reached);
    }
  }

  @Override
  public void onGap(CallSession session, Gap gap) {
    begin(session, gap.segment());
    if (ended || gap.frameCount() <= 0) {
      return;
    }
    long reached = slotStart(gap.segment(), gap.fromPosition() + gap.frameCount());
    for (int m : mixersOf(gap.channel())) {
      mixers[m].skip(gap.segment(), reached);
    }
  }

  @Override
  public void onSegmentStop(CallSession session, Segment segment) {
    if (ended || sampleRate == 0) {
      return;
    }
    for (int m : mixersOf(segment.channel())) {
      mixers[m].leave(segment);
    }
  }

  @Override
  public void onEnd(CallSession session, EndReason reason, Throwable cause) {
    if (ended) {
      return;
    }
    if (sampleRate != 0) {
      for (PcmMixer mixer : mixers) {
        mixer.finish();
      }
    }
    ended = true;
    for (PcmStream stream : streams) {
      stream.end();
    }
  }

  private static final int[] AGENT_MIXERS = {0, 2};
  private static final int[] CONFERENCE_MIXERS = {1, 2};

  /** Whether any open stream carries this side (else its frames need not be decoded). */
  private boolean wants(AudioChannel side) {
    PcmStream.Layout mono = side == AudioChannel.AGENT ? PcmStream.Layout.AGENT : PcmStream.Layout.CONFERENCE;
    for (PcmStream stream : streams) {
      if (stream.layout() == mono || stream.layout() == PcmStream.Layout.STEREO) {
        return true;
      }
    }
    return false;
  }

  private static int[] mixersOf(AudioChannel side) {
    return side == AudioChannel.AGENT ? AGENT_MIXERS : CONFERENCE_MIXERS;
  }

  private long slotStart(Segment segment, long position) {
    return segment.startMillis() * sampleRate / 1000 + position * slotSamples(segment);
  }

  private int slotSamples(Segment segment) {
    return Math.max(1, (int) ((long) sampleRate * segment.format().ptimeMillis() / 1000));
  }

  /** The call's rate is its first segment's; the segments started so far hold the output back from now on. */
  private void begin(CallSession session, Segment segment) {
    if (sampleRate != 0) {
      return;
    }
    int rate = segment.format().sampleRate();
    int window = rate;   // one second
    PcmStream.Layout[] layouts = {PcmStream.Layout.AGENT, PcmStream.Layout.CONFERENCE, PcmStream.Layout.STEREO};
    for (int i = 0; i < 3; i++) {
      PcmStream.Layout layout = layouts[i];
      mixers[i] = new PcmMixer(layout.channels(), window, new PcmMixer.Output() {
        @Override
        public void write(byte[] data, int off, int len) {
          for (PcmStream stream : streams) {
            if (stream.layout() == layout) {
              stream.write(data, off, len);
            }
          }
        }

        @Override
        public void dropped(int bytes) {
          for (PcmStream stream : streams) {
            if (stream.layout() == layout) {
              stream.countDropped(bytes);
            }
          }
        }
      });
    }
    sampleRate = rate;
    for (PcmStream stream : streams) {
      stream.begin(rate);
    }
    for (Segment started : session.segments()) {
      long start = started.startMillis() * rate / 1000;
      for (int m : mixersOf(started.channel())) {
        mixers[m].join(started, start);
      }
    }
  }
}
