package dev.callstream.grpc;

import dev.callstream.core.CallStreamListener;
import dev.callstream.testsupport.AwaitTerminationContract;
import dev.callstream.transport.Tls;

/** {@link CallStreamGrpcServer#awaitTermination()}: what keeps a {@code main} serving. */
class GrpcAwaitTerminationTest extends AwaitTerminationContract {

  @Override
  protected Server newServer() {
    CallStreamGrpcServer server = CallStreamGrpcServer.builder().port(0).tls(Tls.none())
        .listenerFactory(info -> new CallStreamListener() {}).build();
    return new Server(server::start, server::awaitTermination, server::ready, server::close);
  }
}
