package dev.callstream.core;

import dev.callstream.core.internal.StereoAssembler;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

/**
 * A listener that feeds one call's audio, decoded to 16-bit PCM, into one or more
 * {@link PcmStream}s. Open the streams before handing the listener to the transport (a stream
 * opened later receives audio from then on), and read them on your own threads: this listener never
 * waits for a reader (see {@link PcmStream} for the overflow policy).
 *
 * <p>Every stream ends (its reader gets -1 after the buffered audio) when the call ends. A stereo
 * stream pairs the sides by frame position, as {@code stereo.wav} of {@link CallRecorder} does, and
 * is padded at the end so both sides have the same length.
 *
 * <p>{@link #open} is thread-safe; the listener callbacks follow the usual contract (one call's
 * callbacks are sequential).
 */
public final class PcmStreamListener implements CallStreamListener {

  private static final int STEREO_WINDOW_SLOTS = 50;

  private final List<PcmStream> streams = new CopyOnWriteArrayList<>();
  private volatile int sampleRate;
  private int slotSamples;
  private byte[] pcm = new byte[0];
  private byte[] slot;
  private StereoAssembler assembler;
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
  public void onStart(CallSession session, Start start) {
    begin(session);
  }

  @Override
  public void onAudio(CallSession session, AudioFrame frame) {
    begin(session);
    if (ended) {
      return;
    }
    int pcmBytes = frame.sampleCount() * 2;
    if (pcm.length < pcmBytes) {
      pcm = new byte[pcmBytes];
    }
    frame.decodePcm16le(pcm, 0);
    PcmStream.Layout mono = frame.channel() == AudioChannel.AGENT ? PcmStream.Layout.AGENT : PcmStream.Layout.CONFERENCE;
    boolean stereo = false;
    for (PcmStream stream : streams) {
      if (stream.layout() == mono) {
        stream.write(pcm, 0, pcmBytes);
      } else if (stream.layout() == PcmStream.Layout.STEREO) {
        stereo = true;
      }
    }
    if (stereo) {
      int copied = Math.min(pcmBytes, slot.length);
      System.arraycopy(pcm, 0, slot, 0, copied);
      Arrays.fill(slot, copied, slot.length, (byte) 0);
      stereo(() -> assembler().put(frame.channel().stereoIndex(), frame.position(), slot, 0));
    }
  }

  @Override
  public void onGap(CallSession session, AudioChannel channel, long fromPosition, int frameCount) {
    begin(session);
    if (ended || frameCount <= 0) {
      return;
    }
    PcmStream.Layout mono = channel == AudioChannel.AGENT ? PcmStream.Layout.AGENT : PcmStream.Layout.CONFERENCE;
    boolean stereo = false;
    for (PcmStream stream : streams) {
      if (stream.layout() == mono) {
        // Silence beyond the buffer would be dropped anyway: write at most what fits.
        long bytes = (long) frameCount * slotSamples * 2;
        stream.write(null, 0, (int) Math.min(bytes, Integer.MAX_VALUE - 1) & ~1);
      } else if (stream.layout() == PcmStream.Layout.STEREO) {
        stereo = true;
      }
    }
    if (stereo) {
      stereo(() -> assembler().silence(channel.stereoIndex(), fromPosition, frameCount));
    }
  }

  @Override
  public void onEnd(CallSession session, EndReason reason, Throwable cause) {
    if (ended) {
      return;
    }
    if (assembler != null) {
      stereo(() -> assembler.finish());
    }
    ended = true;
    for (PcmStream stream : streams) {
      stream.end();
    }
  }

  private void begin(CallSession session) {
    if (sampleRate != 0) {
      return;
    }
    int rate = session.format().sampleRate();
    slotSamples = Math.max(1, rate / 50);
    slot = new byte[slotSamples * 2];
    sampleRate = rate;
    for (PcmStream stream : streams) {
      stream.begin(rate);
    }
  }

  private StereoAssembler assembler() {
    if (assembler == null) {
      assembler = new StereoAssembler(slotSamples, STEREO_WINDOW_SLOTS, new StereoAssembler.Sink() {
        @Override
        public void writeSlot(byte[] interleaved, int off, int len) {
          for (PcmStream stream : streams) {
            if (stream.layout() == PcmStream.Layout.STEREO) {
              stream.begin(sampleRate);
              stream.write(interleaved, off, len);
            }
          }
        }

        @Override
        public void patchSlot(long slotIndex, int stereoIndex, byte[] mono, int off, int len) {
          // Already handed to the reader with silence on this side: too late to deliver.
          for (PcmStream stream : streams) {
            if (stream.layout() == PcmStream.Layout.STEREO) {
              stream.countDropped(len);
            }
          }
        }
      });
    }
    return assembler;
  }

  private interface StereoStep {
    void run() throws IOException;
  }

  private static void stereo(StereoStep step) {
    try {
      step.run();
    } catch (IOException e) {
      // The sinks above never throw; the assembler only declares it for file sinks.
      throw new CallStreamException("unexpected I/O error in a memory sink", e);
    }
  }
}
