package dev.callstream.server.internal;

import dev.callstream.core.CallInfo;
import dev.callstream.core.Secrets;
import dev.callstream.core.metrics.CallStreamMetrics;
import dev.callstream.transport.Authenticator.Decision;
import dev.callstream.transport.Handshake;
import jakarta.websocket.CloseReason;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.CloseType;
import org.glassfish.grizzly.Closeable;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.EmptyCompletionHandler;
import org.glassfish.grizzly.GenericCloseListener;
import org.glassfish.grizzly.Grizzly;
import org.glassfish.grizzly.IOEvent;
import org.glassfish.grizzly.WriteResult;
import org.glassfish.grizzly.attributes.Attribute;
import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.FilterChainBuilder;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;
import org.glassfish.grizzly.http.HttpCodecFilter;
import org.glassfish.grizzly.http.HttpContent;
import org.glassfish.grizzly.http.HttpHeader;
import org.glassfish.grizzly.http.HttpRequestPacket;
import org.glassfish.grizzly.http.HttpResponsePacket;
import org.glassfish.grizzly.http.Protocol;
import org.glassfish.grizzly.http.server.AddOn;
import org.glassfish.grizzly.http.server.HttpServerFilter;
import org.glassfish.grizzly.http.server.NetworkListener;
import org.glassfish.grizzly.memory.ByteBufferArray;
import org.glassfish.tyrus.core.RequestContext;
import org.glassfish.tyrus.core.TyrusUpgradeResponse;
import org.glassfish.tyrus.spi.ReadHandler;
import org.glassfish.tyrus.spi.WebSocketEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sits between Grizzly's HTTP codec and its HTTP server: cuts connections that do not complete an
 * upgrade in time, answers upgrade requests (401 from the authenticator, 503 when no call slot is
 * free, 404 for other paths), hands admitted upgrades to Tyrus's engine and then feeds it the
 * connection's bytes through a {@link FrameReader} (which refuses binary and oversized messages and
 * takes whole text frames off Tyrus's path).
 */
final class UpgradeFilter extends BaseFilter {
  private static final Logger log = LoggerFactory.getLogger(UpgradeFilter.class);
  private static final Attribute<Wire> WIRE =
      Grizzly.DEFAULT_ATTRIBUTE_BUILDER.createAttribute(UpgradeFilter.class.getName() + ".wire");

  /** Per TCP connection. */
  private static final class Wire {
    volatile ScheduledFuture<?> deadline;
    volatile boolean upgradeSeen;
    volatile org.glassfish.tyrus.spi.Connection tyrus;
    FrameReader frames;
    CallConnection call;
  }

  private final CallHub runtime;
  private final WebSocketEngine engine;
  private final boolean secure;
  private final FrameReader.Scratch scratch = new FrameReader.Scratch();

  UpgradeFilter(CallHub runtime, WebSocketEngine engine, boolean secure) {
    this.runtime = runtime;
    this.engine = engine;
    this.secure = secure;
  }

  /** Installs the filter right before Grizzly's HTTP server filter. */
  AddOn addOn() {
    return new AddOn() {
      @Override
      public void setup(NetworkListener listener, FilterChainBuilder builder) {
        int index = builder.indexOfType(HttpServerFilter.class);
        if (index < 0) {
          throw new IllegalStateException("no HttpServerFilter in the filter chain");
        }
        builder.add(index, UpgradeFilter.this);
        int codec = builder.indexOfType(HttpCodecFilter.class);
        if (codec < 0) {
          throw new IllegalStateException("no HTTP codec in the filter chain");
        }
        builder.add(codec, new UpgradedReads());
      }
    };
  }

  /**
   * Sits right before Grizzly's HTTP codec (after TLS): once a connection is upgraded its bytes skip
   * the HTTP filters, which have nothing left to do for it.
   */
  private final class UpgradedReads extends BaseFilter {
    @Override
    public NextAction handleRead(FilterChainContext ctx) {
      Wire wire = WIRE.get(ctx.getConnection());
      if (wire == null || wire.tyrus == null) {
        return ctx.getInvokeAction();
      }
      Buffer buffer = ctx.getMessage();
      forward(wire, buffer);
      buffer.tryDispose();
      return ctx.getStopAction();
    }
  }

  @Override
  public NextAction handleAccept(FilterChainContext ctx) throws IOException {
    wire(ctx.getConnection());
    return ctx.getInvokeAction();
  }

  private Wire wire(Connection<?> connection) {
    Wire wire = WIRE.get(connection);
    if (wire == null) {
      wire = new Wire();
      WIRE.set(connection, wire);
      Wire started = wire;
      long timeout = runtime.settings().handshakeTimeout().toNanos();
      wire.deadline = runtime.scheduler().schedule(() -> {
        if (started.tyrus == null) {
          log.debug("closing connection from {}: no WebSocket upgrade within {}",
              connection.getPeerAddress(), runtime.settings().handshakeTimeout());
          connection.closeSilently();
        }
      }, timeout, TimeUnit.NANOSECONDS);
    }
    return wire;
  }

  @Override
  public NextAction handleClose(FilterChainContext ctx) throws IOException {
    Wire wire = WIRE.get(ctx.getConnection());
    if (wire != null) {
      cancelDeadline(wire);
    }
    return ctx.getInvokeAction();
  }

  @Override
  public NextAction handleRead(FilterChainContext ctx) throws IOException {
    HttpContent message = ctx.getMessage();
    Connection<?> connection = ctx.getConnection();
    Wire wire = wire(connection);
    if (wire.tyrus != null) {
      forward(wire, message.getContent());
      message.recycle();
      return ctx.getStopAction();
    }
    HttpHeader header = message.getHttpHeader();
    if (!header.isRequest() || !"websocket".equalsIgnoreCase(header.getUpgrade())) {
      return ctx.getInvokeAction();
    }
    if (wire.upgradeSeen) {
      return ctx.getStopAction();
    }
    wire.upgradeSeen = true;
    return handshake(ctx, connection, wire, (HttpRequestPacket) header, message);
  }

  @SuppressWarnings("deprecation") // Grizzly 4 deprecates close listeners but offers nothing else per connection
  private NextAction handshake(FilterChainContext ctx, Connection<?> connection, Wire wire,
      HttpRequestPacket request, HttpContent message) {
    String path = request.getRequestURI();
    if (!"/".equals(path)) {
      return refuse(ctx, request, 404, "Not Found", null, null);
    }
    String rawQuery = request.getQueryString();
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (String name : request.getHeaders().names()) {
      List<String> values = new ArrayList<>();
      request.getHeaders().values(name).forEach(values::add);
      headers.merge(name, values, (a, b) -> {
        a.addAll(b);
        return a;
      });
    }
    CallInfo info;
    Decision decision;
    try {
      info = QueryParser.parse(rawQuery);
      decision = runtime.settings().authenticator().onHandshake(
          new Handshake(path, rawQuery, info, headers, request.getRemoteAddress()));
    } catch (RuntimeException e) {
      log.error("upgrade from {} failed in the handshake check; answering 500", request.getRemoteAddress(), e);
      return refuse(ctx, request, 500, "Internal Server Error", null, null);
    }
    String logId = runtime.logId(info.callId());
    if (decision == null || decision == Decision.REJECT) {
      log.warn("call {}: upgrade from {} not authorized (401)", logId, request.getRemoteAddress());
      runtime.rejected(CallStreamMetrics.Rejection.UNAUTHORIZED);
      return refuse(ctx, request, 401, "Unauthorized", "WWW-Authenticate", "Bearer");
    }
    if (!runtime.registry().tryReserve()) {
      boolean draining = runtime.registry().closing();
      log.warn("call {}: upgrade from {} refused (503): {}", logId, request.getRemoteAddress(),
          draining ? "server draining" : "all " + runtime.settings().admission().maxCalls() + " call slots taken");
      runtime.rejected(draining ? CallStreamMetrics.Rejection.DRAINING : CallStreamMetrics.Rejection.CAPACITY);
      return refuse(ctx, request, 503, "Service Unavailable", "Retry-After", "1");
    }
    PendingCall pending = runtime.newPending(withoutSecret(info), decision == Decision.VERIFY_AT_START, logId);
    boolean owned = false;
    try {
      RequestContext upgradeRequest = RequestContext.Builder.create()
          .requestURI(URI.create(path))
          .queryString(rawQuery)
          .parameterMap(Map.of(CallEndpoint.ADMISSION_PARAMETER, new String[] {pending.key}))
          .secure(secure)
          .remoteAddr(request.getRemoteAddress())
          .serverAddr(request.getLocalAddress())
          .serverPort(request.getLocalPort())
          .tyrusProperties(Map.of())
          .build();
      headers.forEach((name, values) -> {
        List<String> split = new ArrayList<>();
        for (String value : values) {
          for (String part : value.split(",")) {
            if (!part.isBlank()) {
              split.add(part.trim());
            }
          }
        }
        upgradeRequest.getHeaders().put(name, split);
      });
      TyrusUpgradeResponse upgradeResponse = new TyrusUpgradeResponse();
      WebSocketEngine.UpgradeInfo upgrade = engine.upgrade(upgradeRequest, upgradeResponse);
      if (upgrade.getStatus() != WebSocketEngine.UpgradeStatus.SUCCESS) {
        log.debug("call {}: Tyrus refused the upgrade ({})", logId, upgrade.getStatus());
        int status = upgrade.getStatus() == WebSocketEngine.UpgradeStatus.NOT_APPLICABLE ? 404
            : upgradeResponse.getStatus();
        return refuse(ctx, request, status, null, null, null);
      }
      writeUpgradeResponse(ctx, request, upgradeResponse);
      org.glassfish.tyrus.spi.Connection tyrus = upgrade.createConnection(
          new ConnectionWriter(connection), reason -> connection.closeSilently());
      CallConnection call = pending.call;
      owned = call != null;
      if (call == null) {
        tyrus.close(new CloseReason(CloseReason.CloseCodes.UNEXPECTED_CONDITION, "not admitted"));
        connection.closeSilently();
        return ctx.getStopAction();
      }
      wire.call = call;
      call.reads.attach(new ConnectionReads(connection, logId));
      ReadHandler tyrusReads = tyrus.getReadHandler();
      wire.frames = new FrameReader(runtime.settings().maxMessageBytes(),
          bytes -> call.toTyrus(tyrusReads, bytes), call::onText, scratch);
      wire.tyrus = tyrus;
      cancelDeadline(wire);
      connection.addCloseListener(new GenericCloseListener() {
        @Override
        public void onClosed(Closeable closeable, CloseType type) {
          tyrus.close(new CloseReason(CloseReason.CloseCodes.CLOSED_ABNORMALLY, "connection closed"));
          call.transportClosed(new CloseReason(CloseReason.CloseCodes.CLOSED_ABNORMALLY, "connection closed"));
        }
      });
      log.debug("call {}: upgraded ({} open)", logId, runtime.registry().reserved());
      if (message.getContent().hasRemaining()) {
        forward(wire, message.getContent());
      }
      return ctx.getStopAction();
    } catch (RuntimeException e) {
      log.error("call {}: upgrade failed", logId, e);
      if (pending.call != null) {
        owned = true;
        pending.call.terminate(dev.callstream.core.EndReason.ERROR, e,
            CloseReason.CloseCodes.UNEXPECTED_CONDITION, "upgrade failed");
      }
      connection.closeSilently();
      return ctx.getStopAction();
    } finally {
      runtime.forget(pending);
      if (!owned) {
        runtime.registry().release();
      }
    }
  }

  /** The listener's call info: secret-named query parameters ({@link Secrets}) are credentials, not call data. */
  private static CallInfo withoutSecret(CallInfo info) {
    Map<String, String> query = Secrets.withoutSecretParameters(info.parameters());
    return query == info.parameters() ? info : QueryParser.fromParameters(query);
  }

  private static void forward(Wire wire, Buffer buffer) {
    if (!buffer.hasRemaining()) {
      return;
    }
    if (buffer.isComposite()) {
      ByteBufferArray array = buffer.toByteBufferArray();
      ByteBuffer[] parts = array.getArray();
      for (int i = 0; i < array.size(); i++) {
        read(wire, parts[i]);
      }
      array.restore();
      array.recycle();
    } else {
      read(wire, buffer.toByteBuffer());
    }
  }

  private static void read(Wire wire, ByteBuffer bytes) {
    if (!wire.frames.read(bytes)) {
      wire.call.refuse(wire.frames.violation());
    }
  }

  /** Grizzly's read interest of one connection, switched by its call's lane. */
  private static final class ConnectionReads implements ReadThrottle.ReadControl {
    private final Connection<?> connection;
    private final String logId;

    ConnectionReads(Connection<?> connection, String logId) {
      this.connection = connection;
      this.logId = logId;
    }

    @Override
    public void pause() {
      try {
        connection.disableIOEvent(IOEvent.READ);
      } catch (IOException e) {
        log.debug("call {}: cannot pause reading: {}", logId, e.toString());
      }
    }

    @Override
    public void resume() {
      try {
        connection.enableIOEvent(IOEvent.READ);
      } catch (IOException e) {
        log.debug("call {}: cannot resume reading: {}", logId, e.toString());
      }
    }
  }

  private static void cancelDeadline(Wire wire) {
    ScheduledFuture<?> deadline = wire.deadline;
    if (deadline != null) {
      deadline.cancel(false);
      wire.deadline = null;
    }
  }

  private static void writeUpgradeResponse(FilterChainContext ctx, HttpRequestPacket request,
      TyrusUpgradeResponse upgradeResponse) {
    HttpResponsePacket response = request.getResponse();
    response.setProtocol(Protocol.HTTP_1_1);
    response.setStatus(upgradeResponse.getStatus());
    upgradeResponse.getHeaders().forEach((name, values) -> response.setHeader(name, String.join(", ", values)));
    ctx.write(HttpContent.builder(response).build());
  }

  /** Answers with a bodiless status and closes the connection once it is written. */
  @SuppressWarnings("rawtypes")
  private static NextAction refuse(FilterChainContext ctx, HttpRequestPacket request, int status, String reason,
      String headerName, String headerValue) {
    HttpResponsePacket response = request.getResponse();
    response.setProtocol(Protocol.HTTP_1_1);
    response.setStatus(status);
    if (reason != null) {
      response.setReasonPhrase(reason);
    }
    response.setContentLength(0);
    response.setHeader("Connection", "close");
    if (headerName != null) {
      response.setHeader(headerName, headerValue);
    }
    Connection<?> connection = ctx.getConnection();
    ctx.write(HttpContent.builder(response).last(true).build(), new EmptyCompletionHandler<WriteResult>() {
      @Override
      public void completed(WriteResult result) {
        connection.closeSilently();
      }

      @Override
      public void failed(Throwable error) {
        connection.closeSilently();
      }
    });
    return ctx.getStopAction();
  }
}
