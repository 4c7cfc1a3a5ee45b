package dev.callstream.testkit;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The tests' independent receiver: a minimal RFC 6455 server written from scratch on a blocking
 * {@link ServerSocket} (no WebSocket library, none of our code), on 127.0.0.1 and port 0. It records
 * every upgrade request (query, headers) and every text frame with its arrival time, and can refuse
 * upgrades with scripted HTTP statuses.
 */
final class RawReceiver implements AutoCloseable {
  private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

  private final ServerSocket serverSocket;
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread thread = new Thread(r, "raw-receiver");
    thread.setDaemon(true);
    return thread;
  });
  private final Deque<Integer> refusals = new ArrayDeque<>();
  private volatile int refuseAllWith;
  private volatile boolean closeAfterTwoStops;
  private final List<Upgrade> upgrades = new CopyOnWriteArrayList<>();
  private final List<Connection> connections = new CopyOnWriteArrayList<>();

  RawReceiver() throws IOException {
    serverSocket = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
    threads.execute(this::acceptLoop);
  }

  URI url() {
    return URI.create("ws://127.0.0.1:" + serverSocket.getLocalPort() + "/");
  }

  /** The next upgrades are answered with these statuses, in order, before upgrades succeed again. */
  synchronized void refuseNext(int... statuses) {
    for (int status : statuses) {
      refusals.add(status);
    }
  }

  /** Every upgrade is answered with this status. */
  /** Like our server: close with 1000 as soon as the second Stop is read, before the sender closes. */
  void closeAfterTwoStops() {
    closeAfterTwoStops = true;
  }

  void refuseAll(int status) {
    refuseAllWith = status;
  }

  /** Every upgrade request received, refused or not. */
  List<Upgrade> upgrades() {
    return upgrades;
  }

  List<Connection> connections() {
    return connections;
  }

  Connection awaitEndedConnection(int index, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    org.awaitility.Awaitility.await().atMost(timeout).until(() -> connections.size() > index);
    Connection connection = connections.get(index);
    if (!connection.ended.await(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
      throw new AssertionError("connection " + index + " did not end within " + timeout);
    }
    return connection;
  }

  @Override
  public void close() throws IOException {
    serverSocket.close();
    threads.shutdownNow();
  }

  private void acceptLoop() {
    while (!serverSocket.isClosed()) {
      try {
        Socket socket = serverSocket.accept();
        threads.execute(() -> serve(socket));
      } catch (IOException e) {
        return;
      }
    }
  }

  private synchronized int nextRefusal() {
    if (refuseAllWith != 0) {
      return refuseAllWith;
    }
    Integer next = refusals.poll();
    return next == null ? 0 : next;
  }

  private void serve(Socket socket) {
    try (socket) {
      InputStream in = new BufferedInputStream(socket.getInputStream());
      OutputStream out = socket.getOutputStream();
      String head = readHead(in);
      String[] lines = head.split("\r\n");
      String target = lines[0].split(" ")[1];
      Map<String, String> headers = new LinkedHashMap<>();
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
      }
      URI uri = URI.create(target);
      Upgrade upgrade = new Upgrade(uri.getRawPath(), uri.getRawQuery(), headers);
      upgrades.add(upgrade);
      int refusal = nextRefusal();
      if (refusal != 0) {
        out.write(("HTTP/1.1 " + refusal + " Refused\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return;
      }
      String accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
          .digest((headers.get("sec-websocket-key") + GUID).getBytes(StandardCharsets.US_ASCII)));
      out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      Connection connection = new Connection(upgrade);
      connections.add(connection);
      try {
        readFrames(in, out, connection, closeAfterTwoStops);
      } finally {
        connection.ended.countDown();
      }
    } catch (Exception e) {
      // a test that cares sees it as a connection without close
    }
  }

  private static void readFrames(InputStream in, OutputStream out, Connection connection, boolean closeAfterTwoStops)
      throws IOException {
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    int stops = 0;
    boolean closed = false;
    while (true) {
      int b0;
      try {
        b0 = readByte(in);
      } catch (EOFException e) {
        return; // cut without close frame
      }
      int opcode = b0 & 0x0f;
      boolean fin = (b0 & 0x80) != 0;
      int b1 = readByte(in);
      long length = b1 & 0x7f;
      if (length == 126) {
        length = (readByte(in) << 8) | readByte(in);
      } else if (length == 127) {
        length = 0;
        for (int i = 0; i < 8; i++) {
          length = (length << 8) | readByte(in);
        }
      }
      byte[] mask = (b1 & 0x80) != 0 ? in.readNBytes(4) : null;
      byte[] payload = in.readNBytes((int) length);
      if (payload.length != length) {
        return;
      }
      if (mask != null) {
        for (int i = 0; i < payload.length; i++) {
          payload[i] ^= mask[i & 3];
        }
      }
      if (opcode == 0x8) {
        connection.closeCode = payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
        if (closed) {
          return; // the sender answered our close
        }
        out.write(new byte[] {(byte) 0x88, 2, payload.length >= 2 ? payload[0] : 0x03, payload.length >= 2 ? payload[1] : (byte) 0xe8});
        out.flush();
        return;
      }
      if (opcode == 0x1 || opcode == 0x0) {
        text.write(payload);
        if (fin) {
          String message = text.toString(StandardCharsets.UTF_8);
          connection.messages.add(new Message(message, System.nanoTime()));
          text.reset();
          if (closeAfterTwoStops && message.contains("\"Stop\"") && ++stops == 2 && !closed) {
            out.write(new byte[] {(byte) 0x88, 2, 0x03, (byte) 0xe8});
            out.flush();
            closed = true;
          }
        }
      }
      if (opcode == 0x9) {
        out.write(0x8a);
        out.write(payload.length);
        out.write(payload);
        out.flush();
      }
    }
  }

  private static int readByte(InputStream in) throws IOException {
    int b = in.read();
    if (b < 0) {
      throw new EOFException();
    }
    return b;
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int last4 = 0;
    while (last4 != 0x0d0a0d0a) {
      int b = readByte(in);
      head.write(b);
      last4 = (last4 << 8) | b;
    }
    return head.toString(StandardCharsets.ISO_8859_1).trim();
  }

  /** An upgrade request: path, raw query and headers (names lower-case, in order). */
  record Upgrade(String path, String rawQuery, Map<String, String> headers) {
    /** The query's parameter names in order, and decoded values. */
    Map<String, String> query() {
      Map<String, String> query = new LinkedHashMap<>();
      for (String pair : rawQuery.split("&")) {
        int eq = pair.indexOf('=');
        query.put(java.net.URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
      return query;
    }
  }

  /** One text message and when it was read. */
  record Message(String text, long nanoTime) {}

  /** One upgraded connection. */
  static final class Connection {
    final Upgrade upgrade;
    final List<Message> messages = new CopyOnWriteArrayList<>();
    final CountDownLatch ended = new CountDownLatch(1);
    volatile int closeCode = -1;

    Connection(Upgrade upgrade) {
      this.upgrade = upgrade;
    }

    List<String> texts() {
      List<String> texts = new ArrayList<>();
      for (Message message : messages) {
        texts.add(message.text());
      }
      return texts;
    }
  }
}
