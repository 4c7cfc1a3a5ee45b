package dev.callstream.provisioning;

import java.io.IOException;
import java.net.InetAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.OkHttpClient;

/** Helpers for MockWebServer on loopback. */
final class MockServers {
  private MockServers() {}

  static MockWebServer startLoopback() throws IOException {
    MockWebServer server = new MockWebServer();
    server.start(InetAddress.getLoopbackAddress(), 0);
    return server;
  }

  static String baseUrl(MockWebServer server) {
    String url = server.url("/").toString();
    return url.substring(0, url.length() - 1);
  }

  static MockResponse json(int code, String body) {
    return new MockResponse.Builder()
        .code(code)
        .setHeader("Content-Type", "application/json")
        .body(body)
        .build();
  }

  static RecordedRequest take(MockWebServer server) throws InterruptedException {
    RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
    if (request == null) {
      throw new AssertionError("no request arrived within 5 s");
    }
    return request;
  }

  static String body(RecordedRequest request) {
    return request.getBody() == null ? "" : request.getBody().utf8();
  }

  /** A new OkHttpClient whose interceptor counts the requests a client under test sends through it. */
  static OkHttpClient countingClient(AtomicInteger requests) {
    return new OkHttpClient.Builder()
        .addInterceptor(
            chain -> {
              requests.incrementAndGet();
              return chain.proceed(chain.request());
            })
        .build();
  }
}
