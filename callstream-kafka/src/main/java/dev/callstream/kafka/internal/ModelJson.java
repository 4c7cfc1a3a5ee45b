package dev.callstream.kafka.internal;

import dev.callstream.core.CallInfo;
import dev.callstream.core.CallMetadata;
import dev.callstream.core.Participant;
import dev.callstream.core.ParticipantType;
import dev.callstream.core.Segment;
import dev.callstream.core.Transport;
import dev.callstream.core.audio.AudioFormat;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The call model as JSON-like maps and back, for the Kafka records (docs/KAFKA.md). */
public final class ModelJson {
  private ModelJson() {}

  public static Map<String, Object> info(CallInfo info) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("transport", info.transport().label());
    json.put("callId", info.callId());
    json.put("sessionId", info.sessionId());
    json.put("ani", info.ani());
    json.put("dnis", info.dnis());
    json.put("accountId", info.accountId());
    json.put("subaccountId", info.subaccountId());
    json.put("rcAccountId", info.rcAccountId());
    json.put("agentId", info.agentId());
    json.put("productType", info.productType());
    json.put("productId", info.productId());
    json.put("parameters", masked(info.parameters()));
    return json;
  }

  public static CallInfo info(Map<String, Object> json, Transport fallback) {
    if (json == null) {
      return CallInfo.empty(fallback);
    }
    Transport transport = transport(str(json, "transport"), fallback);
    return new CallInfo(transport, str(json, "callId"), str(json, "sessionId"), str(json, "ani"), str(json, "dnis"),
        str(json, "accountId"), str(json, "subaccountId"), str(json, "rcAccountId"), str(json, "agentId"),
        str(json, "productType"), str(json, "productId"), stringMap(json.get("parameters")));
  }

  public static Map<String, Object> metadata(CallMetadata m) {
    if (m == null) {
      return null;
    }
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("callId", m.callId());
    json.put("sessionId", m.sessionId());
    json.put("accountId", m.accountId());
    json.put("subaccountId", m.subaccountId());
    json.put("rcAccountId", m.rcAccountId());
    json.put("agentId", m.agentId());
    json.put("productType", m.productType());
    json.put("productId", m.productId());
    json.put("dialogType", m.dialogType());
    json.put("ani", m.ani());
    json.put("dnis", m.dnis());
    json.put("language", m.language());
    json.put("attributes", masked(m.attributes()));
    return json;
  }

  public static CallMetadata metadata(Object value) {
    if (!(value instanceof Map<?, ?>)) {
      return null;
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> json = (Map<String, Object>) value;
    return new CallMetadata(str(json, "callId"), str(json, "sessionId"), str(json, "accountId"),
        str(json, "subaccountId"), str(json, "rcAccountId"), str(json, "agentId"), str(json, "productType"),
        str(json, "productId"), str(json, "dialogType"), str(json, "ani"), str(json, "dnis"), str(json, "language"),
        stringMap(json.get("attributes")));
  }

  public static Map<String, Object> segment(Segment segment) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("id", segment.id());
    Map<String, Object> participant = new LinkedHashMap<>();
    participant.put("id", segment.participant().id());
    participant.put("type", segment.participant().type().name());
    participant.put("name", segment.participant().name());
    json.put("participant", participant);
    Map<String, Object> format = new LinkedHashMap<>();
    format.put("codec", segment.format().encoding().codec());
    format.put("rate", segment.format().sampleRate());
    format.put("ptime", segment.format().ptimeMillis());
    json.put("format", format);
    json.put("channel", segment.channel().label());
    json.put("startMillis", segment.startMillis());
    return json;
  }

  /** @throws IllegalArgumentException when the object is not a segment of docs/KAFKA.md */
  @SuppressWarnings("unchecked")
  public static Segment segment(Object value) {
    if (!(value instanceof Map<?, ?>)) {
      throw new IllegalArgumentException("segment is not an object");
    }
    Map<String, Object> json = (Map<String, Object>) value;
    String id = str(json, "id");
    if (id == null) {
      throw new IllegalArgumentException("segment without id");
    }
    Map<String, Object> p = json.get("participant") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    Participant participant = new Participant(str(p, "id") == null ? id : str(p, "id"),
        participantType(str(p, "type")), str(p, "name"));
    Map<String, Object> f = json.get("format") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    AudioFormat format = new AudioFormat(encoding(str(f, "codec")), num(f, "rate", 8000),
        num(f, "ptime", AudioFormat.DEFAULT_PTIME_MILLIS));
    long start = json.get("startMillis") instanceof Number n ? n.longValue() : 0L;
    return new Segment(id, participant, format, start);
  }

  public static AudioFormat.Encoding encoding(String codec) {
    for (AudioFormat.Encoding e : AudioFormat.Encoding.values()) {
      if (e.codec().equalsIgnoreCase(String.valueOf(codec))) {
        return e;
      }
    }
    throw new IllegalArgumentException("unknown codec " + codec);
  }

  public static Transport transport(String label, Transport fallback) {
    for (Transport t : Transport.values()) {
      if (t.label().equals(label)) {
        return t;
      }
    }
    return fallback;
  }

  private static ParticipantType participantType(String name) {
    if (name != null) {
      for (ParticipantType t : ParticipantType.values()) {
        if (t.name().equalsIgnoreCase(name)) {
          return t;
        }
      }
    }
    return ParticipantType.UNKNOWN;
  }

  public static String str(Map<String, Object> json, String key) {
    Object v = json.get(key);
    return v == null ? null : v.toString();
  }

  private static int num(Map<String, Object> json, String key, int fallback) {
    return json.get(key) instanceof Number n ? n.intValue() : fallback;
  }

  private static Map<String, String> stringMap(Object value) {
    Map<String, String> out = new LinkedHashMap<>();
    if (value instanceof Map<?, ?> map) {
      map.forEach((k, v) -> out.put(String.valueOf(k), v == null ? null : String.valueOf(v)));
    }
    return out;
  }

  /** A copy with the values of secret-looking keys replaced by {@code "***"}, recursively (as call.json). */
  public static Object masked(Object value) {
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> copy = new LinkedHashMap<>();
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        String key = String.valueOf(entry.getKey());
        String lower = key.toLowerCase(Locale.ROOT);
        boolean secret = lower.contains("secret") || lower.contains("token") || lower.contains("password");
        copy.put(key, secret ? "***" : masked(entry.getValue()));
      }
      return copy;
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>(list.size());
      for (Object element : list) {
        copy.add(masked(element));
      }
      return copy;
    }
    return value;
  }
}
