/**
 * The transport-neutral call model and listener API.
 *
 * <p>A transport (the WebSocket server in {@code callstream-server}, the gRPC server in
 * {@code callstream-grpc}) admits a call ({@link dev.callstream.core.CallInfo}), asks a
 * {@link dev.callstream.core.CallStreamListener.Factory} for one listener per call, and feeds it
 * the call: its metadata ({@link dev.callstream.core.CallMetadata}), its
 * {@link dev.callstream.core.Segment}s (one participant's audio each, on one of the two
 * {@link dev.callstream.core.AudioChannel} sides), their {@link dev.callstream.core.AudioFrame}s in
 * timeline order with every {@link dev.callstream.core.Gap} reported, segment info, raw
 * {@link dev.callstream.core.TransportEvent}s and exactly one terminal {@code onEnd}. Stages below
 * and above the API have packages of their own: {@code audio} (formats, G.711), {@code sequence}
 * (per-segment reordering), {@code recording} ({@code CallRecorder}, WAV files) and {@code pcm}
 * ({@code PcmStream} for speech-to-text).
 */
package dev.callstream.core;
