package dev.callstream.server;

import dev.callstream.core.CallStreamListener;
import dev.callstream.testsupport.AwaitTerminationContract;
import dev.callstream.transport.Tls;

/** {@link CallStreamServer#awaitTermination()}: what keeps a {@code main} serving. */
class AwaitTerminationTest extends AwaitTerminationContract {

  @Override
  protected Server newServer() {
    CallStreamServer server = CallStreamServer.builder().port(0).tls(Tls.none())
        .listenerFactory(info -> new CallStreamListener() {}).build();
    return new Server(server::start, server::awaitTermination, server::ready, server::close);
  }
}
