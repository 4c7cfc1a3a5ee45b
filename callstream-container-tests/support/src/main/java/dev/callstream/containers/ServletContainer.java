package dev.callstream.containers;

import dev.callstream.server.CallStreamEndpoint;
import java.net.URI;
import java.util.List;

/** What a container module provides to {@link ContainerScenarios}: one embedded server. */
public interface ServletContainer {

  /**
   * How an endpoint is deployed.
   *
   * @param addEndpoint {@code ServerContainer.addEndpoint(endpoint.endpointConfig())}
   * @param filter map {@code endpoint.handshakeFilter()} to {@code endpoint.path()}
   */
  record Deployment(CallStreamEndpoint endpoint, boolean addEndpoint, boolean filter) {}

  /** A started server; closing it stops the container (not the endpoints). */
  interface Running extends AutoCloseable {
    int port();

    /** {@code ws://127.0.0.1:port<path>}. */
    default URI uri(String path) {
      return URI.create("ws://127.0.0.1:" + port() + path);
    }

    @Override
    void close() throws Exception;

    /** A container listening on {@code port} that {@code stop} stops. */
    static Running of(int port, AutoCloseable stop) {
      return new Running() {
        @Override
        public int port() {
          return port;
        }

        @Override
        public void close() throws Exception {
          stop.close();
        }
      };
    }
  }

  /** What {@link #start} does for one container. */
  @FunctionalInterface
  interface Starter {
    Running start(List<Deployment> deployments) throws Exception;
  }

  /**
   * A container module's description: its name and behaviours for the scenarios, and how it starts.
   * The record's accessors are the interface's methods.
   */
  record Described(String name, boolean applicationFiltersRunFirst, boolean errorClosesWaitForThePeer,
      Starter starter) implements ServletContainer {
    @Override
    public Running start(List<Deployment> deployments) throws Exception {
      return starter.start(deployments);
    }
  }

  /** Starts the container on 127.0.0.1, port 0, with the deployments. */
  Running start(List<Deployment> deployments) throws Exception;

  /** The container's name for messages, e.g. "Tomcat 11". */
  String name();

  /**
   * Whether a filter the application maps runs before the container's own WebSocket upgrade filter
   * (Tomcat: yes, its WsFilter is mapped after the application's; Jetty: no, it puts its
   * WebSocketUpgradeFilter first), which decides who answers an endpoint deployed both ways.
   */
  boolean applicationFiltersRunFirst();

  /**
   * Whether the container waits for the peer's close reply after the endpoint closes with an error
   * code (1008, 1009, 1011...). Jetty does not: it drops the TCP connection right after writing the
   * close frame, so a peer still sending may get a reset instead of the frame (seen as -1).
   */
  boolean errorClosesWaitForThePeer();
}
