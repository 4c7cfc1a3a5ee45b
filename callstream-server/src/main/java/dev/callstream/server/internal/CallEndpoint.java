package dev.callstream.server.internal;

import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one Tyrus endpoint, at {@code /}: binds each new session to the call admitted at its handshake.
 * Public only because Tyrus invokes its methods reflectively.
 */
public final class CallEndpoint extends Endpoint {
  private static final Logger log = LoggerFactory.getLogger(CallEndpoint.class);
  /** A request parameter only the handshake filter sets (the client's query is not passed to Tyrus). */
  static final String ADMISSION_PARAMETER = "callstream.admission";
  private static final String CALL_PROPERTY = CallConnection.class.getName();

  private final CallHub runtime;

  CallEndpoint(CallHub runtime) {
    this.runtime = runtime;
  }

  @Override
  public void onOpen(Session session, EndpointConfig config) {
    List<String> keys = session.getRequestParameterMap().get(ADMISSION_PARAMETER);
    PendingCall pending = keys == null || keys.isEmpty() ? null : runtime.pending(keys.get(0));
    if (pending == null) {
      log.error("session opened without an admission; closing");
      try {
        session.close(new CloseReason(CloseReason.CloseCodes.UNEXPECTED_CONDITION, "not admitted"));
      } catch (java.io.IOException e) {
        log.debug("close failed: {}", e.toString());
      }
      return;
    }
    int max = runtime.settings().maxMessageBytes();
    session.setMaxTextMessageBufferSize(max);
    session.setMaxBinaryMessageBufferSize(max);
    CallConnection call = new CallConnection(runtime, session, pending.info, pending.verifyAtStart, pending.logId);
    session.getUserProperties().put(CALL_PROPERTY, call);
    // Text only: binary frames never reach Tyrus (FrameGuard refuses them with 1003 first). A second,
    // binary handler would cost every text message a sort of the handler list in Tyrus.
    session.addMessageHandler(String.class, (MessageHandler.Whole<String>) call::onText);
    pending.call = call;
    runtime.registry().opened(call);
    log.debug("call {}: connection open", call.logId());
    call.open();
    // Only a shutdown ends a call that opens now (it may have looked for open calls before this one
    // was listed). A drain does not: this call's slot was taken before the drain began, so the
    // drain counted it, and like every other open call it may run on until the drain's deadline.
    if (runtime.shuttingDown()) {
      call.shutdown();
    }
  }

  @Override
  public void onClose(Session session, CloseReason closeReason) {
    CallConnection call = (CallConnection) session.getUserProperties().get(CALL_PROPERTY);
    if (call != null) {
      call.transportClosed(closeReason);
    }
  }

  @Override
  public void onError(Session session, Throwable error) {
    CallConnection call = (CallConnection) session.getUserProperties().get(CALL_PROPERTY);
    String id = call == null ? "?" : call.logId();
    if (call != null && error.getClass().getSimpleName().equals("MessageTooBigException")) {
      call.refuse(FrameGuard.Violation.TOO_BIG);
    } else {
      log.debug("call {}: WebSocket error: {}", id, error.toString());
    }
  }
}
