package dev.callstream.spring.boot;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code callstream.*} properties: where and how the application's own web server accepts
 * Engage Voice call streams. Unset optional values keep the endpoint's defaults
 * ({@link dev.callstream.server.CallStreamEndpoint.Builder}).
 */
@ConfigurationProperties("callstream")
public class CallStreamProperties {

  /** Whether to deploy the call stream endpoint at all. */
  private boolean enabled = true;

  /** Path of the WebSocket endpoint on the application's server, starting with '/'. */
  private String path = "/";

  /**
   * Shared secrets a call must present (several allow rotation; comma-separated): 'Authorization:
   * Bearer S', query parameter 'secret=S', or a 'secret' field of the Start metadata. Others get
   * HTTP 401, or close code 1008 at Start. Empty: every call is accepted. An Authenticator bean
   * replaces this.
   */
  private List<String> secrets = new ArrayList<>();

  /** Concurrent calls; beyond them the upgrade is answered with HTTP 503 (the platform retries). */
  private int maxCalls = 500;

  /** Largest WebSocket message in bytes (1 KiB to 16 MiB); a larger one ends its call. Default 64 KiB. */
  private Integer maxMessageBytes;

  /** A call without any message for this long is closed. Default 60s. */
  private Duration idleTimeout;

  /**
   * Directory to record every call to (agent.wav, conference.wav, stereo.wav, call.json per call;
   * created if missing). Unset: nothing is recorded.
   */
  private Path recordings;

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public String getPath() {
    return path;
  }

  public void setPath(String path) {
    this.path = path;
  }

  public List<String> getSecrets() {
    return secrets;
  }

  public void setSecrets(List<String> secrets) {
    this.secrets = secrets;
  }

  public int getMaxCalls() {
    return maxCalls;
  }

  public void setMaxCalls(int maxCalls) {
    this.maxCalls = maxCalls;
  }

  public Integer getMaxMessageBytes() {
    return maxMessageBytes;
  }

  public void setMaxMessageBytes(Integer maxMessageBytes) {
    this.maxMessageBytes = maxMessageBytes;
  }

  public Duration getIdleTimeout() {
    return idleTimeout;
  }

  public void setIdleTimeout(Duration idleTimeout) {
    this.idleTimeout = idleTimeout;
  }

  public Path getRecordings() {
    return recordings;
  }

  public void setRecordings(Path recordings) {
    this.recordings = recordings;
  }

  /** The non-blank secrets, stripped (a trailing comma or a space after one is not a secret). */
  List<String> effectiveSecrets() {
    List<String> list = new ArrayList<>();
    if (secrets != null) {
      for (String secret : secrets) {
        if (secret != null && !secret.isBlank()) {
          list.add(secret.strip());
        }
      }
    }
    return List.copyOf(list);
  }

  @Override
  public String toString() {
    // never the secrets themselves
    return "CallStreamProperties[path=" + path + ", secrets=" + effectiveSecrets().size() + ", maxCalls=" + maxCalls
        + ", recordings=" + recordings + "]";
  }
}
