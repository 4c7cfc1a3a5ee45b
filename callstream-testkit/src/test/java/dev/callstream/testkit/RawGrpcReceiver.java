package dev.callstream.testkit;

import com.google.protobuf.Empty;
import dev.callstream.grpc.proto.StreamEvent;
import dev.callstream.grpc.proto.StreamingGrpc;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The independent receiver of the FakeRingCx tests: plain grpc-java (Netty) with the generated service
 * base, not our server. It records every call's request metadata, events and how it ended, and can
 * refuse calls with a status or hold back reading (manual flow control) until released.
 */
final class RawGrpcReceiver implements AutoCloseable {
  private static final Context.Key<Map<String, String>> HEADERS = Context.key("headers");

  /** One received call. */
  static final class Call {
    final Map<String, String> headers;
    final List<StreamEvent> events = new ArrayList<>();
    /** "completed" (half-closed by the client), "cancelled", or "error: ..." */
    volatile String end;
    final CountDownLatch ended = new CountDownLatch(1);

    Call(Map<String, String> headers) {
      this.headers = headers;
    }

    synchronized List<StreamEvent> events() {
      return List.copyOf(events);
    }
  }

  private final Server server;
  private final LinkedBlockingQueue<Call> ended = new LinkedBlockingQueue<>();
  private volatile Status refuseWith;
  private volatile CountDownLatch readGate;

  RawGrpcReceiver() throws IOException {
    this(null, 1024 * 1024);
  }

  RawGrpcReceiver(ServerCredentials credentials, int flowControlWindow) throws IOException {
    InetSocketAddress address = new InetSocketAddress("127.0.0.1", 0);
    NettyServerBuilder builder = credentials == null
        ? NettyServerBuilder.forAddress(address)
        : NettyServerBuilder.forAddress(address, credentials);
    server = builder
        .flowControlWindow(flowControlWindow)
        .addService(ServerInterceptors.intercept(new Service(), new HeaderCapture()))
        .build()
        .start();
  }

  URI url() {
    return URI.create("grpc://127.0.0.1:" + server.getPort());
  }

  int port() {
    return server.getPort();
  }

  /** Ends every following call with this status as soon as it starts. */
  void refuseWith(Status status) {
    this.refuseWith = status;
  }

  /** Following calls read their first event only, then nothing until the returned latch is counted down. */
  CountDownLatch holdReading() {
    CountDownLatch gate = new CountDownLatch(1);
    readGate = gate;
    return gate;
  }

  /** The next call to end, in order of ending. */
  Call awaitEndedCall(Duration timeout) throws InterruptedException {
    Call call = ended.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (call == null) {
      throw new AssertionError("no call ended within " + timeout);
    }
    return call;
  }

  /** No further call ended within {@code wait}. */
  boolean noMoreCalls(Duration wait) throws InterruptedException {
    return ended.poll(wait.toMillis(), TimeUnit.MILLISECONDS) == null;
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow();
    server.awaitTermination(5, TimeUnit.SECONDS);
  }

  private static final class HeaderCapture implements ServerInterceptor {
    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata metadata, ServerCallHandler<Q, R> next) {
      Map<String, String> headers = new TreeMap<>();
      for (String key : metadata.keys()) {
        if (!key.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
          headers.put(key, metadata.get(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER)));
        }
      }
      return Contexts.interceptCall(Context.current().withValue(HEADERS, headers), call, metadata, next);
    }
  }

  private final class Service extends StreamingGrpc.StreamingImplBase {
    @Override
    public StreamObserver<StreamEvent> stream(StreamObserver<Empty> responses) {
      Call call = new Call(HEADERS.get());
      Status refuse = refuseWith;
      if (refuse != null) {
        responses.onError(refuse.asRuntimeException());
        call.end = "refused";
        ended.add(call);
        call.ended.countDown();
        return new StreamObserver<>() {
          @Override public void onNext(StreamEvent value) {}
          @Override public void onError(Throwable t) {}
          @Override public void onCompleted() {}
        };
      }
      CountDownLatch gate = readGate;
      ServerCallStreamObserver<Empty> serverCall = (ServerCallStreamObserver<Empty>) responses;
      if (gate != null) {
        serverCall.disableAutoRequest();
        serverCall.request(1);
        Thread releaser = new Thread(() -> {
          try {
            gate.await();
            serverCall.request(Integer.MAX_VALUE);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }, "raw-grpc-gate");
        releaser.setDaemon(true);
        releaser.start();
      }
      return new StreamObserver<>() {
        @Override
        public void onNext(StreamEvent event) {
          synchronized (call) {
            call.events.add(event);
          }
        }

        @Override
        public void onError(Throwable t) {
          call.end = Status.fromThrowable(t).getCode() == Status.Code.CANCELLED ? "cancelled" : "error: " + t;
          ended.add(call);
          call.ended.countDown();
        }

        @Override
        public void onCompleted() {
          call.end = "completed";
          responses.onNext(Empty.getDefaultInstance());
          responses.onCompleted();
          ended.add(call);
          call.ended.countDown();
        }
      };
    }
  }
}
