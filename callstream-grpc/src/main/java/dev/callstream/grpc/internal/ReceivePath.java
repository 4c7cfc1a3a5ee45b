package dev.callstream.grpc.internal;

import com.google.protobuf.Empty;
import dev.callstream.core.CallAdmission;
import dev.callstream.core.CallInfo;
import dev.callstream.core.CallStreamListener;
import dev.callstream.core.internal.CallDriver;
import dev.callstream.grpc.proto.StreamingGrpc;
import io.grpc.Attributes;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.Status;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The server's receive path without the network, for benchmarks: the bytes of a {@code StreamEvent}
 * (as gRPC hands them over after HTTP/2 deframing) go through the server's request marshaller and a
 * call's own handling ({@link GrpcCall}: checks, sequencing, flow-control credit) to its listener, on
 * the calling thread (the lane runs inline). Not part of the API; not thread-safe.
 */
public final class ReceivePath implements AutoCloseable {
  private final Inbound.Marshaller marshaller = new Inbound.Marshaller();
  private final GrpcRuntime runtime;
  private final GrpcCall call;
  private final StubCall rpc = new StubCall();

  private ReceivePath(CallStreamListener.Factory factory, CallInfo info, int callBuffer) {
    GrpcSettings settings = new GrpcSettings("127.0.0.1", 0, null, factory, null, CallAdmission.limit(1),
        4 * 1024 * 1024, Duration.ofMinutes(10), Duration.ofSeconds(10), Duration.ofSeconds(10),
        Duration.ofSeconds(60), Duration.ofSeconds(20), Duration.ofSeconds(10), false,
        CallDriver.DEFAULT_REORDER_WINDOW, callBuffer, 256 * 1024, 1, 100);
    runtime = GrpcRuntime.unbound(settings, new Inline());
    call = new GrpcCall(rpc, info, null, runtime);
    call.open();
  }

  /** Opens a call whose listener {@code factory} creates (on this thread). */
  public static ReceivePath open(CallStreamListener.Factory factory, CallInfo info, int callBuffer) {
    return new ReceivePath(factory, info, callBuffer);
  }

  /** One message: parsed as the server parses it and handled as the call handles it. */
  public void receive(byte[] streamEvent) {
    call.onMessage(marshaller.parse(new ByteArrayInputStream(streamEvent)));
  }

  /** The client half-closes: the call ends (STOPPED when every segment stopped) and the RPC completes. */
  public void halfClose() {
    call.onHalfClose();
  }

  /** Messages requested from gRPC so far (flow-control credit). */
  public long requested() {
    return rpc.requested;
  }

  /** The status the call closed its RPC with, or null while open. */
  public Status status() {
    return rpc.status;
  }

  @Override
  public void close() {
    if (rpc.status == null) {
      call.onCancel();
    }
    runtime.stopUnbound();
  }

  /** Runs each task at once, on the caller's thread. */
  private static final class Inline extends AbstractExecutorService {
    private volatile boolean shutdown;

    @Override
    public void execute(Runnable command) {
      command.run();
    }

    @Override
    public void shutdown() {
      shutdown = true;
    }

    @Override
    public List<Runnable> shutdownNow() {
      shutdown = true;
      return List.of();
    }

    @Override
    public boolean isShutdown() {
      return shutdown;
    }

    @Override
    public boolean isTerminated() {
      return shutdown;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
      return shutdown;
    }
  }

  /** The RPC's server side as the call sees it: counts requests, keeps the closing status. */
  private static final class StubCall extends ServerCall<Inbound, Empty> {
    long requested;
    Status status;

    @Override
    public void request(int numMessages) {
      requested += numMessages;
    }

    @Override
    public void sendHeaders(Metadata headers) {}

    @Override
    public void sendMessage(Empty message) {}

    @Override
    public void close(Status status, Metadata trailers) {
      this.status = status;
    }

    @Override
    public boolean isCancelled() {
      return false;
    }

    @Override
    public Attributes getAttributes() {
      return Attributes.EMPTY;
    }

    @Override
    public MethodDescriptor<Inbound, Empty> getMethodDescriptor() {
      return StreamingGrpc.getStreamMethod()
          .toBuilder(new Inbound.Marshaller(), StreamingGrpc.getStreamMethod().getResponseMarshaller()).build();
    }
  }
}
