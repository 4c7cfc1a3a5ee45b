package dev.callstream.grpc.internal;

import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.ServerStreamTracer;
import io.grpc.Status;

/**
 * Keeps the status a stream closed with. gRPC tells a call's listener only that it was cancelled;
 * this says why (a message over the size limit, an unparseable message, the client's cancel), so the
 * call can report a clear error. Reached by the call through the stream's {@link Context}.
 */
final class CloseStatusTracer extends ServerStreamTracer {
  static final Context.Key<CloseStatusTracer> KEY = Context.key("callstream-close-status");

  static final ServerStreamTracer.Factory FACTORY = new ServerStreamTracer.Factory() {
    @Override
    public ServerStreamTracer newServerStreamTracer(String fullMethodName, Metadata headers) {
      return new CloseStatusTracer();
    }
  };

  private volatile Status closed;

  @Override
  public Context filterContext(Context context) {
    return context.withValue(KEY, this);
  }

  @Override
  public void streamClosed(Status status) {
    closed = status;
  }

  /** The status the stream closed with, or null while open. */
  Status closedStatus() {
    return closed;
  }
}
