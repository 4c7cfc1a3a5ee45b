package dev.callstream.examples;

import dev.callstream.core.AudioChannel;
import dev.callstream.core.CallInfo;
import dev.callstream.core.CallStreamListener;
import dev.callstream.core.pcm.PcmStream;
import dev.callstream.core.pcm.PcmStreamListener;
import dev.callstream.server.CallStreamServer;
import dev.callstream.transport.Tls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;

/**
 * Feeds each side of every call to a speech-to-text client, 100 ms at a time.
 *
 * <p>The call's thread only copies audio into a bounded {@link PcmStream} per side; one task per side
 * on our own {@code readers} executor reads 100 ms chunks and hands them to that side's recogniser.
 * A recogniser more than {@code buffer} behind loses the oldest audio (counted in
 * {@link #droppedBytes()}): the call never waits for it. {@code main} serves until Ctrl-C on port
 * {@code [args[0]]} (default 3333) with a stand-in recogniser that prints how much audio it got:
 * there is no speech engine here and no text comes out. It shows where one goes: implement
 * {@link SpeechToTextClient} with your engine's streaming client (a cloud API, or an offline one such
 * as Vosk or PocketSphinx) and pass it in place of the stand-in.
 */
public final class StreamToSpeechToText implements CallStreamListener.Factory {

  /** What we need from a speech-to-text client; called on one reader thread per side, so it may block. */
  public interface SpeechToTextClient {
    /** The next 100 ms: {@link #CHUNK_BYTES} of 8 kHz 16-bit little-endian PCM (the last chunk may be shorter). */
    void send(byte[] chunk);

    /** The call has ended: flush the last words and close. */
    void finish();
  }

  /** 100 ms of the platform's 8 kHz 16-bit audio. */
  public static final int CHUNK_BYTES = 1600;

  private final BiFunction<CallInfo, AudioChannel, SpeechToTextClient> recognisers;
  private final Executor readers;
  private final Duration buffer;
  private final AtomicLong droppedBytes = new AtomicLong();

  /** Opens a recogniser per side of each call, read on {@code readers}, holding at most {@code buffer} per side. */
  public StreamToSpeechToText(BiFunction<CallInfo, AudioChannel, SpeechToTextClient> recognisers,
      Executor readers, Duration buffer) {
    this.recognisers = recognisers;
    this.readers = readers;
    this.buffer = buffer;
  }

  @Override
  public CallStreamListener create(CallInfo call) {
    PcmStreamListener listener = new PcmStreamListener();
    for (AudioChannel side : AudioChannel.values()) {
      PcmStream pcm = listener.open(side == AudioChannel.AGENT ? PcmStream.Layout.AGENT : PcmStream.Layout.CONFERENCE, buffer);
      SpeechToTextClient recogniser = recognisers.apply(call, side);
      readers.execute(() -> transcribe(pcm, recogniser));
    }
    return listener;
  }

  /** Bytes of audio dropped so far, over all finished streams, because a recogniser fell behind. */
  public long droppedBytes() {
    return droppedBytes.get();
  }

  private void transcribe(PcmStream pcm, SpeechToTextClient recogniser) {
    try (pcm) {
      byte[] chunk;
      while ((chunk = pcm.readNBytes(CHUNK_BYTES)).length > 0) { // blocks for 100 ms of audio or the end
        recogniser.send(chunk);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e); // only when this reader is interrupted
    } finally {
      droppedBytes.addAndGet(pcm.droppedBytes());
      recogniser.finish();
    }
  }

  public static void main(String[] args) throws InterruptedException {
    StreamToSpeechToText transcriber = new StreamToSpeechToText((call, side) -> new SpeechToTextClient() {
      private long bytes; // stands in for a speech engine: counts the audio it would be sent

      @Override public void send(byte[] chunk) {
        bytes += chunk.length;
      }

      @Override public void finish() {
        System.out.printf(Locale.ROOT, "%s %s: %.1f s of audio reached the stand-in recogniser (no speech engine, no text)%n",
            call.callId(), side.label(), bytes / 16_000.0);
      }
    }, Executors.newCachedThreadPool(), PcmStream.DEFAULT_CAPACITY); // two readers per open call

    CallStreamServer server = CallStreamServer.builder()
        .port(args.length > 0 ? Integer.parseInt(args[0]) : 3333)
        .tls(Tls.selfSigned()) // production: Tls.pem(chain, key) or Tls.pkcs12(keystore, password)
        .listenerFactory(transcriber).build().start();
    System.out.println("listening on " + server.uri());
    System.out.println("no speech engine here: a stand-in recogniser counts the audio each side would send to one"
        + " (plug yours in as a SpeechToTextClient)");
    Runtime.getRuntime().addShutdownHook(new Thread(server::close));
    server.awaitTermination(); // serve until Ctrl-C has closed the server
  }
}
