package dev.callstream.grpc.internal;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import dev.callstream.grpc.proto.StreamEvent;
import io.grpc.MethodDescriptor;
import io.grpc.protobuf.ProtoUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * One {@code StreamEvent} as the server reads it. The hot case, a plain {@code SegmentMedia} (about
 * 40 per second per call), is read straight into what the call uses: the segment id, the sequence
 * number and the payload in one {@code byte[]}. Everything else, and any media message with
 * something unusual in it (a field repeated, an unknown field, a second event), is parsed by the
 * generated code, so the call sees exactly what the generated parser would give it.
 *
 * <p>Why: the generated parser builds three builders and three messages per chunk and copies the
 * payload twice (into a {@code ByteString}, then out of it); a JFR profile of 200 real-time calls
 * put about a quarter of the Netty event loop's Java time in it.
 */
final class Inbound {
  private static final int SESSION_ID = tag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED);
  private static final int SEGMENT_MEDIA = tag(4, WireFormat.WIRETYPE_LENGTH_DELIMITED);
  private static final int MEDIA_SEGMENT_ID = tag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED);
  private static final int MEDIA_AUDIO_CONTENT = tag(2, WireFormat.WIRETYPE_LENGTH_DELIMITED);
  private static final int AUDIO_PAYLOAD = tag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED);
  private static final int AUDIO_SEQ = tag(2, WireFormat.WIRETYPE_VARINT);
  private static final int AUDIO_DURATION = tag(3, WireFormat.WIRETYPE_VARINT);
  private static final byte[] EMPTY = new byte[0];

  /** A field's tag as it appears on the wire (field number and wire type). */
  private static int tag(int field, int wireType) {
    return field << 3 | wireType;
  }

  /** The event parsed by the generated code, or null for a media chunk read by the fast path. */
  final StreamEvent event;
  /** Fast-path media: the segment id. */
  final String segmentId;
  /** Fast-path media: the {@code seq} field (unsigned 32 bits). */
  final long seq;
  /** Fast-path media: the payload, owned by the receiver. */
  final byte[] payload;

  private Inbound(StreamEvent event) {
    this.event = event;
    this.segmentId = null;
    this.seq = 0;
    this.payload = null;
  }

  private Inbound(String segmentId, long seq, byte[] payload) {
    this.event = null;
    this.segmentId = segmentId;
    this.seq = seq;
    this.payload = payload;
  }

  /** An event parsed by the generated code (tests, and the marshaller's general case). */
  static Inbound of(StreamEvent event) {
    return new Inbound(event);
  }

  /** True for a media chunk read by the fast path ({@link #segmentId}, {@link #seq}, {@link #payload}). */
  boolean fastMedia() {
    return event == null;
  }

  /** The same event as a generated message (the fast path's fields only: the rest are defaults). */
  StreamEvent toStreamEvent() {
    if (event != null) {
      return event;
    }
    return StreamEvent.newBuilder()
        .setSegmentMedia(dev.callstream.grpc.proto.SegmentMediaEvent.newBuilder()
            .setSegmentId(segmentId)
            .setAudioContent(dev.callstream.grpc.proto.AudioContent.newBuilder()
                .setPayload(com.google.protobuf.ByteString.copyFrom(payload))
                .setSeq((int) seq)))
        .build();
  }

  /**
   * Reads a plain SegmentMedia: top-level fields {@code session_id} (validated, not kept: media
   * does not use it) and one {@code segment_media}; inside it {@code segment_id} and
   * {@code audio_content} at most once each; inside that {@code payload}, {@code seq} and
   * {@code duration} at most once each. Anything else gives null (the generated parser then decides,
   * errors included).
   */
  static Inbound tryMedia(byte[] bytes) {
    try {
      CodedInputStream in = CodedInputStream.newInstance(bytes);
      boolean media = false;
      boolean session = false;
      String segmentId = "";
      long seq = 0;
      byte[] payload = EMPTY;
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        if (tag == SESSION_ID && !session) {
          session = true;
          in.readStringRequireUtf8();
        } else if (tag == SEGMENT_MEDIA && !media) {
          media = true;
          int limit = in.pushLimit(in.readRawVarint32());
          boolean id = false;
          boolean audio = false;
          for (int inner = in.readTag(); inner != 0; inner = in.readTag()) {
            if (inner == MEDIA_SEGMENT_ID && !id) {
              id = true;
              segmentId = in.readStringRequireUtf8();
            } else if (inner == MEDIA_AUDIO_CONTENT && !audio) {
              audio = true;
              int audioLimit = in.pushLimit(in.readRawVarint32());
              boolean hasPayload = false;
              boolean hasSeq = false;
              boolean hasDuration = false;
              for (int field = in.readTag(); field != 0; field = in.readTag()) {
                if (field == AUDIO_PAYLOAD && !hasPayload) {
                  hasPayload = true;
                  payload = in.readByteArray();
                } else if (field == AUDIO_SEQ && !hasSeq) {
                  hasSeq = true;
                  seq = Integer.toUnsignedLong(in.readUInt32());
                } else if (field == AUDIO_DURATION && !hasDuration) {
                  hasDuration = true;
                  in.readUInt32();
                } else {
                  return null;
                }
              }
              in.popLimit(audioLimit);
            } else {
              return null;
            }
          }
          in.popLimit(limit);
        } else {
          return null;
        }
      }
      return media ? new Inbound(segmentId, seq, payload) : null;
    } catch (IOException | RuntimeException e) {
      return null; // malformed: the generated parser reports it as it always did
    }
  }

  /** The request marshaller of the server's method: {@link #tryMedia} first, else the generated parser. */
  static final class Marshaller implements MethodDescriptor.Marshaller<Inbound> {
    private final MethodDescriptor.Marshaller<StreamEvent> generated =
        ProtoUtils.marshaller(StreamEvent.getDefaultInstance());

    @Override
    public InputStream stream(Inbound value) {
      return generated.stream(value.toStreamEvent());
    }

    @Override
    public Inbound parse(InputStream stream) {
      byte[] bytes;
      try {
        bytes = readAll(stream);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Inbound fast = tryMedia(bytes);
      return fast != null ? fast : new Inbound(generated.parse(new ByteArrayInputStream(bytes)));
    }

    /** gRPC's message streams know their length ({@code available()} is exact): one array, no growing. */
    private static byte[] readAll(InputStream stream) throws IOException {
      int known = stream.available();
      byte[] bytes = stream.readNBytes(known);
      int next = stream.read();
      if (next < 0) {
        return bytes;
      }
      byte[] rest = stream.readAllBytes();
      byte[] all = Arrays.copyOf(bytes, bytes.length + 1 + rest.length);
      all[bytes.length] = (byte) next;
      System.arraycopy(rest, 0, all, bytes.length + 1, rest.length);
      return all;
    }
  }
}
