package dev.callstream.provisioning.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.callstream.provisioning.ApiException;
import dev.callstream.provisioning.BadRequestException;
import dev.callstream.provisioning.ConflictException;
import dev.callstream.provisioning.ForbiddenException;
import dev.callstream.provisioning.NotFoundException;
import dev.callstream.provisioning.ProvisioningException;
import dev.callstream.provisioning.TransportException;
import java.io.IOException;
import java.util.Collection;
import java.util.Map;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okio.BufferedSource;

/**
 * Sends one request and reads its answer with a bounded body; maps failures to the provisioning
 * exceptions. Shared by the profile client and the token provider. Thread-safe.
 */
public final class JsonHttp {
  public static final MediaType JSON = MediaType.get("application/json");

  /** Profiles and tokens are a few hundred bytes; anything near this is not the RingCX API. */
  private static final long MAX_BODY_BYTES = 1 << 20;

  private static final int MAX_MESSAGE_CHARS = 500;

  private static final Map<Integer, String> STANDARD_REASONS =
      Map.ofEntries(
          Map.entry(400, "Bad Request"),
          Map.entry(401, "Unauthorized"),
          Map.entry(403, "Forbidden"),
          Map.entry(404, "Not Found"),
          Map.entry(405, "Method Not Allowed"),
          Map.entry(409, "Conflict"),
          Map.entry(415, "Unsupported Media Type"),
          Map.entry(422, "Unprocessable Content"),
          Map.entry(429, "Too Many Requests"),
          Map.entry(500, "Internal Server Error"),
          Map.entry(502, "Bad Gateway"),
          Map.entry(503, "Service Unavailable"),
          Map.entry(504, "Gateway Timeout"));

  private final OkHttpClient client;
  private final ObjectMapper mapper;
  private final String userAgent;

  public JsonHttp(OkHttpClient client, ObjectMapper mapper, String userAgent) {
    this.client = client;
    this.mapper = mapper;
    this.userAgent = userAgent;
  }

  /** What came back: status, reason phrase, headers and the whole body as text. */
  public record Answer(int status, String reason, Headers headers, String body) {
    public boolean successful() {
      return status >= 200 && status < 300;
    }
  }

  public ObjectMapper mapper() {
    return mapper;
  }

  /** A request builder with {@code User-Agent} and {@code Accept: application/json} set. */
  public Request.Builder newRequest(HttpUrl url) {
    return new Request.Builder()
        .url(url)
        .header("User-Agent", userAgent)
        .header("Accept", "application/json");
  }

  /**
   * Executes {@code request} once.
   *
   * @throws TransportException if no complete answer arrived
   */
  public Answer send(Request request) {
    try (Response response = client.newCall(request).execute()) {
      return new Answer(
          response.code(), reason(response), response.headers(), readBounded(response, request));
    } catch (IOException e) {
      throw new TransportException(
          request.method() + " " + request.url().encodedPath() + " failed: " + describe(e), e);
    }
  }

  private static String describe(IOException e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  private static String readBounded(Response response, Request request) throws IOException {
    BufferedSource source = response.body().source();
    if (source.request(MAX_BODY_BYTES + 1)) {
      throw new TransportException(
          request.method()
              + " "
              + request.url().encodedPath()
              + " failed: response body larger than "
              + MAX_BODY_BYTES
              + " bytes",
          null);
    }
    return source.readUtf8();
  }

  private static String reason(Response response) {
    String message = response.message();
    if (message != null && !message.isBlank()) {
      return message.trim();
    }
    return standardReason(response.code());
  }

  /** Parses a successful answer's body: JSON as a tree, a non-JSON body as a text node. */
  public JsonNode json(Answer answer) {
    String body = answer.body();
    if (body.isBlank()) {
      return mapper.getNodeFactory().nullNode();
    }
    try {
      return mapper.readTree(body);
    } catch (JsonProcessingException notJson) {
      return mapper.getNodeFactory().textNode(body);
    }
  }

  /** Serializes a request body. */
  public String write(JsonNode node) {
    try {
      return mapper.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new ProvisioningException("could not serialize request: " + e.getOriginalMessage(), e);
    }
  }

  /**
   * The exception for an error answer. The server's message is masked with {@link Redactor} and
   * {@code secretValues} (tokens and secrets this request carried), then truncated.
   */
  public ApiException error(Answer answer, Request request, Collection<String> secretValues) {
    return error(
        answer.status(),
        answer.reason(),
        serverMessage(answer.body(), secretValues),
        request.method(),
        request.url().encodedPath());
  }

  /** The {@link ApiException} subclass for {@code status}, or a plain one. */
  public static ApiException error(
      int status, String reason, String serverMessage, String method, String path) {
    return switch (status) {
      case 400 -> new BadRequestException(reason, serverMessage, method, path);
      case 403 -> new ForbiddenException(reason, serverMessage, method, path);
      case 404 -> new NotFoundException(reason, serverMessage, method, path);
      case 409 -> new ConflictException(reason, serverMessage, method, path);
      default -> new ApiException(status, reason, serverMessage, method, path);
    };
  }

  /** The standard reason phrase of {@code status}, or a generic one. */
  public static String standardReason(int status) {
    String standard = STANDARD_REASONS.get(status);
    if (standard != null) {
      return standard;
    }
    return status >= 500 ? "Server Error" : status >= 400 ? "Client Error" : "";
  }

  String serverMessage(String body, Collection<String> secretValues) {
    if (body.isBlank()) {
      return "";
    }
    String text = body;
    try {
      JsonNode tree = mapper.readTree(body);
      text = messageField(tree);
      if (text == null) {
        Redactor.maskFields(tree);
        text = tree.toString();
      }
    } catch (JsonProcessingException notJson) {
      // Plain-text error bodies are common ("Jwt is expired"); use them as they are.
    }
    String oneLine = Redactor.mask(text, secretValues).replaceAll("\\s+", " ").trim();
    return oneLine.length() <= MAX_MESSAGE_CHARS
        ? oneLine
        : oneLine.substring(0, MAX_MESSAGE_CHARS) + "...";
  }

  private static String messageField(JsonNode tree) {
    if (!tree.isObject()) {
      return null;
    }
    for (String name : new String[] {"message", "error", "errorMessage", "generalMessage"}) {
      JsonNode field = tree.get(name);
      if (field == null || field.isNull()) {
        continue;
      }
      if (field.isValueNode()) {
        if (!field.asText().isBlank()) {
          return field.asText();
        }
      } else {
        Redactor.maskFields(field);
        return field.toString();
      }
    }
    return null;
  }
}
