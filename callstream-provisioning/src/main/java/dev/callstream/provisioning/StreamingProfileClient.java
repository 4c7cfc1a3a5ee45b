package dev.callstream.provisioning;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.callstream.provisioning.internal.ClientCore;
import dev.callstream.provisioning.internal.JsonHttp;
import dev.callstream.provisioning.internal.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates, updates, reads and deletes RingCX streaming profiles: which WebSocket Secure server
 * receives the audio of a queue's or campaign's calls.
 *
 * <pre>{@code
 * StreamingProfileClient client = StreamingProfileClient.builder()
 *     .rcAccessToken(ringCentralToken)          // or .token(ringCxToken)
 *     .build();
 * StreamingProfile created = client.create(StreamingProfile.builder()
 *     .productType(ProductType.QUEUE).productId(1234)
 *     .subAccountId("99990001").mainAccountId("99990000").rcAccountId("37439510")
 *     .streamingUrl("wss://stream.example.com").secret("shared-secret")
 *     .build());
 * }</pre>
 *
 * <p><b>Requests.</b> {@code POST}/{@code PUT {baseUrl}/platform/api/media/product} with a JSON
 * body; {@code GET}/{@code DELETE
 * {baseUrl}/platform/api/media/product/account/{subAccountId}/type/{productType}/id/{productId}}
 * (path segments URL-encoded). Every request carries {@code Authorization: Bearer <token>}, {@code
 * Accept: application/json} and {@code User-Agent: callstream/<version>}. Arguments are checked
 * before anything is sent (required fields, {@code streamingUrl} = {@code wss://host[:port]}):
 * violations throw {@link IllegalArgumentException} naming the field.
 *
 * <p><b>Retries.</b> A 401 answer invalidates the token and the request is sent once more if the
 * {@link TokenProvider} then supplies a different token (a 401 means nothing was done, so this
 * applies to {@code POST} too). {@code GET}, {@code PUT} and {@code DELETE} answered with 429 or
 * 5xx are retried with exponential backoff, up to {@linkplain Builder#maxAttempts(int) 3 attempts}
 * in all, waiting what {@code Retry-After} asks (capped) when present. {@code POST} is never
 * retried on 429/5xx, and no request is retried after a transport failure: it may have been
 * processed.
 *
 * <p><b>Errors.</b> {@link ApiException} for an HTTP error, {@link TransportException} when no
 * answer arrived, both {@link ProvisioningException}s.
 *
 * <p>Thread-safe; calls block the calling thread. The client owns nothing that needs closing: an
 * injected {@code OkHttpClient} stays the caller's.
 */
public final class StreamingProfileClient {
  /** The current RingCX host. The legacy {@code https://engage.ringcentral.com} works too. */
  public static final String DEFAULT_BASE_URL = "https://ringcx.ringcentral.com";

  private static final Logger log = LoggerFactory.getLogger(StreamingProfileClient.class);

  private final ClientCore core;
  private final JsonHttp http;

  private StreamingProfileClient(ClientCore core) {
    this.core = core;
    this.http = core.http();
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Creates a profile ({@code POST}). Requires productType, productId, subAccountId,
   * mainAccountId, rcAccountId and a valid streamingUrl; secret is optional.
   *
   * @return the profile as the server returned it
   * @throws IllegalArgumentException if a required field is missing or streamingUrl is invalid
   * @throws ProvisioningException if the request failed or the response is not a profile
   */
  public StreamingProfile create(StreamingProfile profile) {
    return ProfileJson.fromJson(http.json(createAnswer(profile)), "create");
  }

  /**
   * Like {@link #create}, returning the response body as the server sent it: JSON text, or an
   * empty string when the answer had no body. Never null.
   */
  public String createJson(StreamingProfile profile) {
    return createAnswer(profile).body();
  }

  private JsonHttp.Answer createAnswer(StreamingProfile profile) {
    ProfileJson.requireCreatable(profile);
    return send("POST", productUrl(), ProfileJson.toJson(profile), profile.secret());
  }

  /**
   * Updates a profile ({@code PUT}). Requires productType, productId, subAccountId and a valid
   * streamingUrl; null optional fields are left out of the request.
   *
   * @return the profile as the server returned it
   * @throws IllegalArgumentException if a required field is missing or streamingUrl is invalid
   * @throws ProvisioningException if the request failed or the response is not a profile
   */
  public StreamingProfile update(StreamingProfile profile) {
    return ProfileJson.fromJson(http.json(updateAnswer(profile)), "update");
  }

  /** Like {@link #update}, returning the response body as the server sent it (as {@link #createJson}). */
  public String updateJson(StreamingProfile profile) {
    return updateAnswer(profile).body();
  }

  private JsonHttp.Answer updateAnswer(StreamingProfile profile) {
    ProfileJson.requireUpdatable(profile);
    return send("PUT", productUrl(), ProfileJson.toJson(profile), profile.secret());
  }

  /**
   * Reads the profile of a queue or campaign ({@code GET}).
   *
   * @throws ApiException with status 404 (typically) if there is none
   */
  public StreamingProfile get(String subAccountId, ProductType productType, int productId) {
    return ProfileJson.fromJson(http.json(getAnswer(subAccountId, productType, productId)), "get");
  }

  /** Like {@link #get}, returning the response body as the server sent it (as {@link #createJson}). */
  public String getJson(String subAccountId, ProductType productType, int productId) {
    return getAnswer(subAccountId, productType, productId).body();
  }

  private JsonHttp.Answer getAnswer(String subAccountId, ProductType productType, int productId) {
    ProfileJson.requireKey(subAccountId, productType, productId);
    return send("GET", keyUrl(subAccountId, productType, productId), null, null);
  }

  /**
   * Deletes the profile of a queue or campaign ({@code DELETE}).
   *
   * @return the response body as text (the API documents a string); empty if there was none
   */
  public String delete(String subAccountId, ProductType productType, int productId) {
    ProfileJson.requireKey(subAccountId, productType, productId);
    return send("DELETE", keyUrl(subAccountId, productType, productId), null, null).body();
  }

  private HttpUrl productUrl() {
    return core.baseUrl().newBuilder().addPathSegments("platform/api/media/product").build();
  }

  private HttpUrl keyUrl(String subAccountId, ProductType productType, int productId) {
    return core.baseUrl()
        .newBuilder()
        .addPathSegments("platform/api/media/product/account")
        .addPathSegment(subAccountId)
        .addPathSegment("type")
        .addPathSegment(productType.name())
        .addPathSegment("id")
        .addPathSegment(Integer.toString(productId))
        .build();
  }

  private JsonHttp.Answer send(String method, HttpUrl url, JsonNode body, String secret) {
    RequestBody requestBody =
        body == null ? null : RequestBody.create(http.write(body), JsonHttp.JSON);
    boolean idempotent = !"POST".equals(method);
    ClientCore.Attempts attempts = core.attempts();
    while (true) {
      Request request = core.request(url, attempts.token()).method(method, requestBody).build();
      JsonHttp.Answer answer = core.send(request);
      if (answer.successful()) {
        return answer;
      }
      if (attempts.reauthenticated(answer)
          || attempts.retried(answer, idempotent && retryable(answer.status()), request)) {
        continue;
      }
      List<String> secrets = new ArrayList<>(List.of(attempts.token()));
      if (secret != null) {
        secrets.add(secret);
      }
      throw http.error(answer, request, secrets);
    }
  }

  private static boolean retryable(int status) {
    return status == 429 || (status >= 500 && status <= 599);
  }

  @Override
  public String toString() {
    return "StreamingProfileClient[" + core.baseUrl() + "]";
  }

  /** Configures a {@link StreamingProfileClient}; not thread-safe. */
  public static final class Builder {
    private final ClientCore.Options options = new ClientCore.Options();

    private Builder() {}

    /**
     * The API host; default {@value #DEFAULT_BASE_URL}. The legacy {@code
     * https://engage.ringcentral.com} or a test server ({@code http://127.0.0.1:port}) work too.
     */
    public Builder baseUrl(String baseUrl) {
      options.baseUrl(baseUrl);
      return this;
    }

    /** The HTTP client to use; default a new {@code OkHttpClient} for this client. */
    public Builder httpClient(OkHttpClient httpClient) {
      options.httpClient(httpClient);
      return this;
    }

    /** Reads and writes JSON trees; default a new {@code ObjectMapper}. Not public: the JSON mapping is ours. */
    Builder objectMapper(ObjectMapper objectMapper) {
      options.objectMapper(objectMapper);
      return this;
    }

    /** Where bearer tokens come from. One of this, {@link #token} or {@link #rcAccessToken}. */
    public Builder tokenProvider(TokenProvider tokenProvider) {
      options.tokenProvider(tokenProvider);
      return this;
    }

    /** A RingCX access token you manage yourself: {@link TokenProvider#fixed(String)}. */
    public Builder token(String ringCxToken) {
      return tokenProvider(TokenProvider.fixed(ringCxToken));
    }

    /**
     * A RingCentral access token, exchanged for RingCX tokens at this client's base URL with the
     * same HTTP client, mapper and user agent; see {@link ExchangingTokenProvider} for more
     * control.
     */
    public Builder rcAccessToken(String ringCentralToken) {
      options.rcAccessToken(ringCentralToken);
      return this;
    }

    /** Default {@code callstream/<version>}. */
    public Builder userAgent(String userAgent) {
      options.userAgent(userAgent);
      return this;
    }

    /** Attempts in all for an idempotent request answered 429/5xx; default 3, 1 disables. */
    public Builder maxAttempts(int maxAttempts) {
      options.maxAttempts(maxAttempts);
      return this;
    }

    /** The first backoff without {@code Retry-After}, doubled on each retry; default 500 ms. */
    public Builder initialBackoff(Duration initialBackoff) {
      options.initialBackoff(initialBackoff);
      return this;
    }

    /** The longest wait before a retry, whatever {@code Retry-After} says; default 30 s. */
    public Builder maxRetryAfter(Duration maxRetryAfter) {
      options.maxRetryAfter(maxRetryAfter);
      return this;
    }

    /** The clock that {@code Retry-After} dates are measured against. */
    public Builder clock(Clock clock) {
      options.clock(clock);
      return this;
    }

    // For tests: record retry delays instead of waiting.
    Builder sleeper(Sleeper sleeper) {
      options.sleeper(sleeper);
      return this;
    }

    /**
     * @throws IllegalStateException if no token source was given
     */
    public StreamingProfileClient build() {
      return new StreamingProfileClient(
          options.build(log, client -> client, ExchangingTokenProvider::forClient));
    }
  }
}
