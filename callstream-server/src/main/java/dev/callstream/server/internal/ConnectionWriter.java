package dev.callstream.server.internal;

import java.nio.ByteBuffer;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.EmptyCompletionHandler;
import org.glassfish.grizzly.WriteResult;
import org.glassfish.grizzly.memory.Buffers;
import org.glassfish.tyrus.spi.CompletionHandler;
import org.glassfish.tyrus.spi.Writer;

/** Tyrus's outgoing frames (close frames, pongs) written asynchronously to the Grizzly connection. */
final class ConnectionWriter extends Writer {
  private final Connection<?> connection;

  ConnectionWriter(Connection<?> connection) {
    this.connection = connection;
  }

  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  public void write(ByteBuffer buffer, CompletionHandler<ByteBuffer> handler) {
    if (!connection.isOpen()) {
      if (handler != null) {
        handler.failed(new IllegalStateException("connection closed"));
      }
      return;
    }
    ((Connection) connection).write(Buffers.wrap(connection.getMemoryManager(), buffer),
        new EmptyCompletionHandler<WriteResult>() {
          @Override
          public void completed(WriteResult result) {
            if (handler != null) {
              handler.completed(buffer);
            }
          }

          @Override
          public void failed(Throwable error) {
            if (handler != null) {
              handler.failed(error);
            }
          }

          @Override
          public void cancelled() {
            if (handler != null) {
              handler.cancelled();
            }
          }
        });
  }

  @Override
  public void close() {
    connection.closeSilently();
  }
}
