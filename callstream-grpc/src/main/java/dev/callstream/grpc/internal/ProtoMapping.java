package dev.callstream.grpc.internal;

import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.ProtocolMessageEnum;
import dev.callstream.core.CallMetadata;
import dev.callstream.core.Participant;
import dev.callstream.core.ParticipantType;
import dev.callstream.core.audio.AudioFormat;
import dev.callstream.grpc.proto.Account;
import dev.callstream.grpc.proto.Dialog;
import dev.callstream.grpc.proto.DialogInitEvent;
import dev.callstream.grpc.proto.SegmentStartEvent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** RingCX v1beta2 messages mapped onto the transport-neutral call model. Stateless. */
public final class ProtoMapping {
  /** What RingCX sends when a SegmentStart names no format: PCMU, 8000 Hz, 100 ms chunks. */
  public static final AudioFormat DEFAULT_FORMAT = new AudioFormat(AudioFormat.Encoding.MULAW, 8000, 100);

  static final int MIN_RATE = 1000;
  static final int MAX_RATE = 192_000;
  static final int MAX_PTIME_MILLIS = 1000;

  private ProtoMapping() {}

  /** The call's metadata from its DialogInit and the stream's session id; empty strings become null. */
  public static CallMetadata metadata(DialogInitEvent init, String sessionId) {
    Account account = init.getAccount();
    Dialog dialog = init.getDialog();
    return new CallMetadata(
        emptyToNull(dialog.getId()),
        emptyToNull(sessionId),
        emptyToNull(account.getId()),
        emptyToNull(account.getSubAccountId()),
        emptyToNull(account.getRcAccountId()),
        null,
        null,
        null,
        dialog.getTypeValue() == 0 ? null : enumName(dialog.getType(), dialog.getTypeValue()),
        dialog.hasAni() ? dialog.getAni() : null,
        dialog.hasDnis() ? dialog.getDnis() : null,
        dialog.hasLanguage() ? dialog.getLanguage() : null,
        dialog.getAttributesMap());
  }

  /**
   * The call's wire details for records such as {@code call.json}: {@code account} {id,
   * subAccountId, rcAccountId} and {@code dialog} {id, type, ani, dnis, language, attributes}, every
   * key present (null when not sent), enum values by name.
   */
  public static Map<String, Object> wireDetails(DialogInitEvent init) {
    Account account = init.getAccount();
    Dialog dialog = init.getDialog();
    Map<String, Object> accountMap = new LinkedHashMap<>();
    accountMap.put("id", account.getId());
    accountMap.put("subAccountId", account.getSubAccountId());
    accountMap.put("rcAccountId", account.getRcAccountId());
    Map<String, Object> dialogMap = new LinkedHashMap<>();
    dialogMap.put("id", dialog.getId());
    dialogMap.put("type", enumName(dialog.getType(), dialog.getTypeValue()));
    dialogMap.put("ani", dialog.hasAni() ? dialog.getAni() : null);
    dialogMap.put("dnis", dialog.hasDnis() ? dialog.getDnis() : null);
    dialogMap.put("language", dialog.hasLanguage() ? dialog.getLanguage() : null);
    dialogMap.put("attributes", Collections.unmodifiableMap(new LinkedHashMap<>(dialog.getAttributesMap())));
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("account", Collections.unmodifiableMap(accountMap));
    details.put("dialog", Collections.unmodifiableMap(dialogMap));
    return Collections.unmodifiableMap(details);
  }

  /** The participant of a SegmentStart; a missing one has id "" and type UNKNOWN. */
  public static Participant participant(SegmentStartEvent start) {
    dev.callstream.grpc.proto.Participant p = start.getParticipant();
    ParticipantType type;
    switch (p.getTypeValue()) {
      case dev.callstream.grpc.proto.ParticipantType.CONTACT_VALUE:
        type = ParticipantType.CONTACT;
        break;
      case dev.callstream.grpc.proto.ParticipantType.AGENT_VALUE:
        type = ParticipantType.AGENT;
        break;
      case dev.callstream.grpc.proto.ParticipantType.BOT_VALUE:
        type = ParticipantType.BOT;
        break;
      default:
        type = ParticipantType.UNKNOWN;
    }
    return new Participant(p.getId(), type, p.hasName() ? p.getName() : null);
  }

  /**
   * The audio format of a SegmentStart: {@link #DEFAULT_FORMAT} when none is given; an unspecified
   * codec means PCMU, a zero rate 8000 Hz, a zero ptime 100 ms.
   *
   * @throws IllegalArgumentException naming the value when the codec is unknown to this version or the
   *     rate or ptime is out of range
   */
  public static AudioFormat format(SegmentStartEvent start) {
    if (!start.hasAudioFormat()) {
      return DEFAULT_FORMAT;
    }
    dev.callstream.grpc.proto.AudioFormat f = start.getAudioFormat();
    AudioFormat.Encoding encoding;
    switch (f.getCodecValue()) {
      case dev.callstream.grpc.proto.Codec.CODEC_UNSPECIFIED_VALUE:
      case dev.callstream.grpc.proto.Codec.PCMU_VALUE:
        encoding = AudioFormat.Encoding.MULAW;
        break;
      case dev.callstream.grpc.proto.Codec.PCMA_VALUE:
        encoding = AudioFormat.Encoding.ALAW;
        break;
      case dev.callstream.grpc.proto.Codec.L16_VALUE:
        encoding = AudioFormat.Encoding.L16;
        break;
      case dev.callstream.grpc.proto.Codec.OPUS_VALUE:
        encoding = AudioFormat.Encoding.OPUS;
        break;
      case dev.callstream.grpc.proto.Codec.FLAC_VALUE:
        encoding = AudioFormat.Encoding.FLAC;
        break;
      default:
        throw new IllegalArgumentException("unknown codec " + f.getCodecValue());
    }
    long rate = f.getRate() == 0 ? DEFAULT_FORMAT.sampleRate() : Integer.toUnsignedLong(f.getRate());
    if (rate < MIN_RATE || rate > MAX_RATE) {
      throw new IllegalArgumentException("rate out of " + MIN_RATE + ".." + MAX_RATE + ": " + rate);
    }
    long ptime = f.getPtime() == 0 ? DEFAULT_FORMAT.ptimeMillis() : Integer.toUnsignedLong(f.getPtime());
    if (ptime > MAX_PTIME_MILLIS) {
      throw new IllegalArgumentException("ptime out of 1.." + MAX_PTIME_MILLIS + " ms: " + ptime);
    }
    return new AudioFormat(encoding, (int) rate, (int) ptime);
  }

  /**
   * A message as a JSON-like value (String, Number, Boolean, null, List, Map), keys in lowerCamelCase
   * as proto3's JSON mapping names them, every field present (null for an unset optional or message
   * field), enum values by name (the number when this version does not know it). Bytes fields are
   * left out: they carry audio.
   */
  public static Map<String, Object> fields(Message message) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (FieldDescriptor field : message.getDescriptorForType().getFields()) {
      if (field.getType() == FieldDescriptor.Type.BYTES) {
        continue;
      }
      if (field.getRealContainingOneof() != null && !message.hasField(field)) {
        continue;
      }
      if (field.isMapField()) {
        Map<String, Object> entries = new LinkedHashMap<>();
        for (Object entry : (List<?>) message.getField(field)) {
          Message e = (Message) entry;
          FieldDescriptor key = e.getDescriptorForType().findFieldByName("key");
          FieldDescriptor value = e.getDescriptorForType().findFieldByName("value");
          entries.put(String.valueOf(e.getField(key)), value(value, e.getField(value)));
        }
        map.put(field.getJsonName(), Collections.unmodifiableMap(entries));
      } else if (field.isRepeated()) {
        List<Object> list = new ArrayList<>();
        for (Object item : (List<?>) message.getField(field)) {
          list.add(value(field, item));
        }
        map.put(field.getJsonName(), Collections.unmodifiableList(list));
      } else if (field.hasPresence() && !message.hasField(field)) {
        map.put(field.getJsonName(), null);
      } else {
        map.put(field.getJsonName(), value(field, message.getField(field)));
      }
    }
    return Collections.unmodifiableMap(map);
  }

  private static Object value(FieldDescriptor field, Object value) {
    switch (field.getJavaType()) {
      case MESSAGE:
        return fields((Message) value);
      case ENUM:
        EnumValueDescriptor e = (EnumValueDescriptor) value;
        return e.getIndex() < 0 ? (Object) e.getNumber() : e.getName();
      case INT:
        // proto uint32 arrives as a signed int
        return field.getType() == FieldDescriptor.Type.UINT32 || field.getType() == FieldDescriptor.Type.FIXED32
            ? (Object) Integer.toUnsignedLong((Integer) value) : value;
      default:
        return value;
    }
  }

  private static String enumName(ProtocolMessageEnum value, int number) {
    try {
      return value.getValueDescriptor().getName();
    } catch (IllegalStateException unrecognized) {
      return Integer.toString(number);
    }
  }

  private static String emptyToNull(String value) {
    return value == null || value.isEmpty() ? null : value;
  }
}
