package dev.callstream.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Empty;
import dev.callstream.core.CallStreamListener;
import dev.callstream.grpc.proto.StreamEvent;
import dev.callstream.grpc.proto.StreamingGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.MetadataUtils;
import java.security.cert.X509Certificate;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import dev.callstream.transport.Tls;
import javax.net.ssl.SSLException;

/** A server on 127.0.0.1 port 0 and an in-JVM grpc-java client (RingCX's side) talking to it. */
final class GrpcHarness implements AutoCloseable {
  /** The listeners the default recording factory created (unused when a test sets its own factory). */
  final RecordingCallListener.Factory listeners;
  final CallStreamGrpcServer server;
  final ManagedChannel channel;

  private GrpcHarness(CallStreamGrpcServer server, ManagedChannel channel, RecordingCallListener.Factory listeners) {
    this.server = server;
    this.channel = channel;
    this.listeners = listeners;
  }

  static GrpcHarness plaintext(UnaryOperator<CallStreamGrpcServer.Builder> config) {
    return start(b -> config.apply(b.tls(Tls.none())), false);
  }

  /** With a factory other than the recording one. */
  static GrpcHarness plaintext(CallStreamListener.Factory factory, UnaryOperator<CallStreamGrpcServer.Builder> config) {
    return start(b -> config.apply(b.tls(Tls.none())).listenerFactory(factory), false);
  }

  /** TLS with a self-signed certificate unless {@code config} sets other TLS; the client trusts the server's certificate. */
  static GrpcHarness tls(UnaryOperator<CallStreamGrpcServer.Builder> config) {
    return tls(config, null);
  }

  /** Like {@link #tls(UnaryOperator)}, the client trusting {@code trusted} (else the server's own certificate). */
  static GrpcHarness tls(UnaryOperator<CallStreamGrpcServer.Builder> config, X509Certificate trusted) {
    return start(b -> config.apply(b.tls(Tls.selfSigned())), true, trusted);
  }

  private static GrpcHarness start(UnaryOperator<CallStreamGrpcServer.Builder> config, boolean tls) {
    return start(config, tls, null);
  }

  private static GrpcHarness start(UnaryOperator<CallStreamGrpcServer.Builder> config, boolean tls,
      X509Certificate trustedCertificate) {
    RecordingCallListener.Factory listeners = new RecordingCallListener.Factory();
    CallStreamGrpcServer.Builder builder = CallStreamGrpcServer.builder().host("127.0.0.1").port(0)
        .listenerFactory(listeners);
    CallStreamGrpcServer server = config.apply(builder).build().start();
    NettyChannelBuilder channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port());
    if (!tls) {
      channel.usePlaintext();
    } else {
      try {
        X509Certificate trusted = trustedCertificate != null ? trustedCertificate : server.tls().certificate();
        channel.sslContext(GrpcSslContexts.forClient().trustManager(trusted).build()).overrideAuthority("localhost");
      } catch (SSLException e) {
        throw new IllegalStateException(e);
      }
    }
    return new GrpcHarness(server, channel.build(), listeners);
  }

  /** Opens a stream without authorization metadata. */
  ClientStream open() {
    return open(null);
  }

  /** Opens a stream with this {@code authorization} value (none when null). */
  ClientStream open(String authorization) {
    StreamingGrpc.StreamingStub stub = StreamingGrpc.newStub(channel);
    if (authorization != null) {
      Metadata headers = new Metadata();
      headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), authorization);
      headers.put(Metadata.Key.of("x-tenant", Metadata.ASCII_STRING_MARSHALLER), "acme");
      headers.put(Metadata.Key.of("x-api-token", Metadata.ASCII_STRING_MARSHALLER), "t0ken-value");
      stub = stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }
    ClientStream stream = new ClientStream();
    stub.stream(stream);
    assertThat(stream.requests).isNotNull();
    return stream;
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow();
    channel.awaitTermination(5, TimeUnit.SECONDS);
    server.close();
  }

  /** RingCX's side of one stream. */
  static final class ClientStream implements ClientResponseObserver<StreamEvent, Empty> {
    final CompletableFuture<Status> status = new CompletableFuture<>();
    volatile int responses;
    ClientCallStreamObserver<StreamEvent> requests;

    private final Semaphore readySignal = new Semaphore(0);

    @Override
    public void beforeStart(ClientCallStreamObserver<StreamEvent> requestStream) {
      this.requests = requestStream;
      requestStream.setOnReadyHandler(readySignal::release);
    }

    /** Waits until the transport would take another message without buffering; false on timeout. */
    boolean awaitReady(long millis) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
      while (!requests.isReady()) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || !readySignal.tryAcquire(left, TimeUnit.NANOSECONDS)) {
          return requests.isReady();
        }
      }
      return true;
    }

    @Override
    public void onNext(Empty value) {
      responses++;
    }

    @Override
    public void onError(Throwable t) {
      status.complete(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      status.complete(Status.OK);
    }

    ClientStream send(StreamEvent... events) {
      for (StreamEvent event : events) {
        requests.onNext(event);
      }
      return this;
    }

    void halfClose() {
      requests.onCompleted();
    }

    void cancel() {
      requests.cancel("test cancels", null);
    }

    Status awaitStatus() throws Exception {
      return status.get(10, TimeUnit.SECONDS);
    }
  }
}
