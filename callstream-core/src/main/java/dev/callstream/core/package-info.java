/**
 * Engage Voice call streams, independent of any transport.
 *
 * <p>{@link dev.callstream.core.StreamCodec} turns the platform's messages into
 * {@link dev.callstream.core.StreamEvent}s; a {@link dev.callstream.core.CallStreamListener}, one per
 * call from its {@link dev.callstream.core.CallStreamListener.Factory}, receives them sequenced per
 * {@link dev.callstream.core.AudioChannel}, with gaps reported and exactly one terminal
 * {@code onEnd}. Ready-made listeners: {@link dev.callstream.core.CallRecorder} (WAV files and
 * {@code call.json}) and {@link dev.callstream.core.PcmStreamListener} (PCM input streams for
 * speech-to-text). Depends on Jackson only.
 */
package dev.callstream.core;
