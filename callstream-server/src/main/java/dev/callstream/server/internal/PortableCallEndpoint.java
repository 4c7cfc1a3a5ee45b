package dev.callstream.server.internal;

import dev.callstream.core.CallStreamException;
import dev.callstream.core.EndReason;
import jakarta.websocket.CloseReason;
import jakarta.websocket.CloseReason.CloseCodes;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One session of the portable endpoint (a new instance per session): binds it to the call its
 * handshake admitted, or closes it with the refusal the handshake decided (1008 unauthorized, 1013
 * at capacity or draining). Text arrives in parts ({@link MessageHandler.Partial}) so that the
 * message-size limit is ours, counted in UTF-8 bytes as the standalone server counts it, and not the
 * container's (which counts characters in Tomcat and closes without telling the endpoint why).
 * Public only because containers instantiate endpoint classes reflectively.
 */
public final class PortableCallEndpoint extends Endpoint {
  private static final Logger log = LoggerFactory.getLogger(PortableCallEndpoint.class);

  private final PortableEndpoint owner;
  private volatile CallConnection call;
  // Container read thread only (one message at a time per session).
  private StringBuilder parts;
  private long partBytes;
  private boolean refused;

  PortableCallEndpoint(PortableEndpoint owner) {
    this.owner = owner;
  }

  @Override
  public void onOpen(Session session, EndpointConfig config) {
    Object admission = config.getUserProperties().get(PortableEndpoint.ADMISSION);
    if (admission instanceof PortableEndpoint.Refused refusal) {
      log.debug("call {}: closing the refused session with {} ({})", refusal.logId(), refusal.closeCode(), refusal.why());
      close(session, CloseCodes.getCloseCode(refusal.closeCode()), refusal.phrase());
      return;
    }
    PendingCall pending = admission instanceof PortableEndpoint.Admitted admitted ? admitted.call() : null;
    if (pending == null || !pending.claim()) {
      log.error("session opened without an admission (or after its slot was given up); closing");
      close(session, CloseCodes.UNEXPECTED_CONDITION, "not admitted");
      return;
    }
    CallHub hub = owner.hub();
    hub.forget(pending);
    int max = hub.settings().maxMessageBytes();
    // Partial handlers: the container's buffers only hold one part; the limit is enforced below.
    session.setMaxTextMessageBufferSize(max);
    session.setMaxBinaryMessageBufferSize(max);
    // The idle timeout is ours (one sweep, 1001 CLOSED); the container's (Jetty: 30 s) must not fire first.
    session.setMaxIdleTimeout(hub.settings().idleTimeout().toMillis() + 10_000);
    CallConnection opened = new CallConnection(hub, session, pending.info, pending.verifyAtStart, pending.logId);
    call = opened;
    session.addMessageHandler(String.class, (MessageHandler.Partial<String>) this::onTextPart);
    session.addMessageHandler(ByteBuffer.class,
        (MessageHandler.Partial<ByteBuffer>) (bytes, last) -> opened.refuse(FrameGuard.Violation.BINARY));
    hub.registry().opened(opened);
    log.debug("call {}: connection open", opened.logId());
    opened.open();
    if (hub.shuttingDown()) {
      opened.shutdown();
    }
  }

  /** Assembles a text message from its parts, refusing it (1009) once it exceeds the limit in bytes. */
  private void onTextPart(String part, boolean last) {
    CallConnection current = call;
    if (refused || current == null) {
      return;
    }
    int max = owner.hub().settings().maxMessageBytes();
    if (parts == null && last) {
      // The usual case: a whole message in one part. Checked only when it could be too long.
      if ((long) part.length() * 3 > max && utf8Length(part) > max) {
        tooBig(current);
        return;
      }
      current.onText(part);
      return;
    }
    partBytes += utf8Length(part);
    if (partBytes > max) {
      tooBig(current);
      return;
    }
    if (parts == null) {
      parts = new StringBuilder(part.length() * 2);
    }
    parts.append(part);
    if (last) {
      String text = parts.toString();
      parts = null;
      partBytes = 0;
      current.onText(text);
    }
  }

  private void tooBig(CallConnection current) {
    refused = true;
    parts = null;
    current.refuse(FrameGuard.Violation.TOO_BIG);
  }

  static long utf8Length(CharSequence text) {
    long bytes = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        bytes++;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }

  @Override
  public void onClose(Session session, CloseReason closeReason) {
    CallConnection current = call;
    if (current == null) {
      return;
    }
    // A container that refused a frame itself (over its own limits, invalid UTF-8, a protocol error)
    // closes without calling the endpoint first: report it as the standalone server does (ERROR).
    int code = closeReason == null ? CloseCodes.CLOSED_ABNORMALLY.getCode() : closeReason.getCloseCode().getCode();
    if (current.ending()) {
      // our own close (or one already explained): nothing to add
    } else if (code == CloseCodes.TOO_BIG.getCode()) {
      current.refuse(FrameGuard.Violation.TOO_BIG);
    } else if (code == CloseCodes.PROTOCOL_ERROR.getCode()) {
      current.refuse(FrameGuard.Violation.PROTOCOL);
    } else if (code == CloseCodes.NOT_CONSISTENT.getCode()) {
      current.terminate(EndReason.ERROR, new CallStreamException("call " + current.logId()
          + ": text message that is not UTF-8"), CloseCodes.NOT_CONSISTENT, "invalid UTF-8");
    }
    current.transportClosed(closeReason);
  }

  @Override
  public void onError(Session session, Throwable error) {
    CallConnection current = call;
    String name = error.getClass().getSimpleName();
    if (current != null && !current.ending() && (name.contains("TooBig") || name.contains("TooLarge"))) {
      current.refuse(FrameGuard.Violation.TOO_BIG);
    } else {
      log.debug("call {}: WebSocket error: {}", current == null ? "?" : current.logId(), error.toString());
    }
  }

  private static void close(Session session, CloseReason.CloseCode code, String phrase) {
    try {
      session.close(new CloseReason(code, phrase));
    } catch (IOException | RuntimeException e) {
      log.debug("close failed: {}", e.toString());
    }
  }
}
