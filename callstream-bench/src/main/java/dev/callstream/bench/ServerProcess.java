package dev.callstream.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A server under test, in its own process (pinned with {@code taskset} when a core is given and the
 * tool exists). Kinds: {@code ours-noop}, {@code ours-record}, {@code ours-noop-io} (the same with {@code Dispatch.IO_THREAD}; recording is refused there: {@code CallRecorder} blocks), {@code ours-noop-metrics}, {@code ours-record-metrics} (the same with Micrometer metrics on a Prometheus registry), {@code tyrus} ({@link BenchServer}),
 * {@code python-min} (minimal_receiver.py) and {@code python-vendor} (vendor_sample.py, which cannot
 * be asked anything: CPU and memory only). RingCX gRPC: {@code ours-grpc-noop}, {@code ours-grpc-record}
 * ({@link BenchServer} {@code --transport grpc}) and {@code python-grpc} (grpc_receiver.py, the minimal
 * grpcio receiver).
 */
final class ServerProcess implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern LISTENING = Pattern.compile("listening on (ws|wss|grpc|grpcs)://([^:/]+):(\\d+)");
  private static final long CLOCK_TICKS_PER_SECOND = 100; // USER_HZ; `getconf CLK_TCK` is 100 on Linux

  record Settings(Path jar, String python, Path pythonDir, String cpu, String jvmArgs, Path jfr, Path work, String dispatchThreads) {}

  private final Process process;
  private final URI uri;
  private final boolean answers;
  private final boolean jvm;
  private final boolean grpc;
  private final Writer commands;
  private final BlockingQueue<String> lines = new ArrayBlockingQueue<>(1024);

  private ServerProcess(Process process, URI uri, boolean answers, boolean jvm, boolean grpc) {
    this.process = process;
    this.uri = uri;
    this.answers = answers;
    this.jvm = jvm;
    this.grpc = grpc;
    this.commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
  }

  static ServerProcess start(String kind, Settings s) throws IOException, InterruptedException {
    Files.createDirectories(s.work());
    Path work = Files.createTempDirectory(s.work().toAbsolutePath(), kind + "-");
    int port = freePort();
    List<String> command = new ArrayList<>();
    if (s.cpu() != null && Files.isExecutable(Path.of("/usr/bin/taskset"))) {
      command.addAll(List.of("/usr/bin/taskset", "-c", s.cpu()));
    }
    boolean java = kind.startsWith("ours") || kind.equals("tyrus");
    if (java) {
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(Arrays.asList(s.jvmArgs().trim().split("\\s+")));
      if (s.jfr() != null) {
        command.add("-XX:StartFlightRecording=filename=" + s.jfr().toAbsolutePath() + ",settings=profile");
      }
      command.addAll(List.of("-cp", s.jar().toAbsolutePath().toString(), BenchServer.class.getName(), "--port", Integer.toString(port)));
      if (s.dispatchThreads() != null) {
        command.addAll(List.of("--dispatch-threads", s.dispatchThreads()));
      }
      switch (kind) {
        case "ours-grpc-noop" -> command.addAll(List.of("--transport", "grpc", "--mode", "noop"));
        case "ours-grpc-record" -> command.addAll(List.of("--transport", "grpc", "--mode", "record",
            "--recordings", work.resolve("recordings").toString()));
        case "ours-noop" -> command.addAll(List.of("--mode", "noop"));
        case "ours-record" -> command.addAll(List.of("--mode", "record", "--recordings", work.resolve("recordings").toString()));
        case "ours-record-metrics" -> command.addAll(List.of("--mode", "record", "--metrics", "prometheus",
            "--recordings", work.resolve("recordings").toString()));
        case "ours-noop-metrics" -> command.addAll(List.of("--mode", "noop", "--metrics", "prometheus"));
        case "ours-noop-io" -> command.addAll(List.of("--mode", "noop", "--dispatch", "IO_THREAD"));
        case "tyrus" -> command.addAll(List.of("--mode", "tyrus"));
        default -> throw new IllegalArgumentException("unknown server " + kind);
      }
    } else if (kind.equals("python-min")) {
      command.addAll(List.of(s.python(), s.pythonDir().resolve("minimal_receiver.py").toAbsolutePath().toString(),
          "--port", Integer.toString(port)));
    } else if (kind.equals("python-grpc")) {
      // generates the message classes from callstream-grpc's .proto into the run's folder first
      command.addAll(List.of(s.python(), s.pythonDir().resolve("grpc_receiver.py").toAbsolutePath().toString(),
          "--port", Integer.toString(port), "--gen-dir", work.resolve("python-gen").toString()));
    } else if (kind.equals("python-vendor")) {
      command.addAll(List.of(s.python(), s.pythonDir().resolve("vendor_sample.py").toAbsolutePath().toString(),
          "--port", Integer.toString(port)));
    } else {
      throw new IllegalArgumentException("unknown server " + kind);
    }
    ProcessBuilder builder = new ProcessBuilder(command).directory(work.toFile());
    if (kind.equals("python-vendor")) {
      // it logs every message (payload included) at INFO on stderr: discarded, as by a quiet terminal
      builder.redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD);
    } else {
      builder.redirectError(work.resolve("stderr.log").toFile());
    }
    Process process = builder.start();
    boolean grpc = kind.contains("grpc");
    URI uri = URI.create((grpc ? "grpc" : "ws") + "://127.0.0.1:" + port + (grpc ? "" : "/"));
    ServerProcess server = new ServerProcess(process, uri, !kind.equals("python-vendor"), java, grpc);
    try {
      if (server.answers) {
        server.startReader();
        // other lines may come first (the JVM's JFR start-up notice, for one)
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String line = null;
        while (System.nanoTime() < deadline && (line == null || !LISTENING.matcher(line).find())) {
          line = server.lines.poll(1, TimeUnit.SECONDS);
        }
        if (line == null || !LISTENING.matcher(line).find()) {
          throw new IOException(kind + " did not report listening within 60 s (see " + work.resolve("stderr.log") + ")");
        }
      } else {
        awaitPort(port, Duration.ofSeconds(30));
      }
    } catch (IOException | RuntimeException e) {
      server.close();
      throw e;
    }
    return server;
  }

  private void startReader() {
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          lines.offer(line);
        }
      } catch (IOException e) {
        // process ended
      }
    }, "server-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  URI uri() {
    return uri;
  }

  /** Whether the server speaks RingCX gRPC (else Engage Voice WebSocket). */
  boolean grpc() {
    return grpc;
  }

  long pid() {
    return process.pid();
  }

  /** Sends one command and returns its JSON answer, or null for a server that takes no commands. */
  JsonNode command(String command) throws IOException, InterruptedException {
    if (!answers) {
      return null;
    }
    commands.write(command + "\n");
    commands.flush();
    for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60); System.nanoTime() < deadline; ) {
      String line = lines.poll(1, TimeUnit.SECONDS);
      if (line != null && line.startsWith("{")) {
        return JSON.readTree(line);
      }
    }
    throw new IOException("no answer to " + command);
  }

  /** Heap used after two full GCs, for our Java servers; null for others. */
  Long heapUsed() throws IOException, InterruptedException {
    if (!jvm) {
      return null;
    }
    JsonNode answer = command("heap");
    return answer.has("heapUsed") ? answer.get("heapUsed").asLong() : null;
  }

  /** Polls stats until every started call has ended (or the timeout); the last stats, or null. */
  JsonNode awaitCallsEnded(int calls, Duration timeout) throws IOException, InterruptedException {
    JsonNode stats = command("stats");
    long deadline = System.nanoTime() + timeout.toNanos();
    while (stats != null && stats.has("ended") && stats.path("ended").asLong() < calls && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(250);
      stats = command("stats");
    }
    if (stats != null && !stats.has("ended")) {
      // the bare Tyrus endpoint does not track ends: let in-flight messages land
      TimeUnit.SECONDS.sleep(2);
      stats = command("stats");
    }
    return stats;
  }

  /** utime + stime of the whole process so far, in microseconds. */
  long cpuMicros() throws IOException {
    long[] cpu = userAndSystemMicros();
    return cpu[0] + cpu[1];
  }

  /** {utime, stime} of the whole process so far, in microseconds. */
  long[] userAndSystemMicros() throws IOException {
    String stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    // fields[0] is field 3 (state): utime is field 14, stime field 15
    return new long[] {
        Long.parseLong(fields[11]) * 1_000_000L / CLOCK_TICKS_PER_SECOND,
        Long.parseLong(fields[12]) * 1_000_000L / CLOCK_TICKS_PER_SECOND};
  }

  /**
   * CPU time (user + system, microseconds) of the JVM's JIT compiler threads alive now ("C1 CompilerThre",
   * "C2 CompilerThre" as /proc shortens them); 0 for a process without them. Compiling is a start-up
   * cost a JIT pays and an interpreter does not: a window that still compiles is reported with it.
   */
  long compilerMicros() {
    long total = 0;
    java.io.File[] tasks = new java.io.File("/proc/" + process.pid() + "/task").listFiles();
    if (tasks == null) {
      return -1;
    }
    for (java.io.File task : tasks) {
      try {
        String stat = Files.readString(task.toPath().resolve("stat"));
        String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        if (comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler")) {
          String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          total += (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 1_000_000L / CLOCK_TICKS_PER_SECOND;
        }
      } catch (IOException | RuntimeException e) {
        // the thread ended meanwhile
      }
    }
    return total;
  }

  /** Context switches (voluntary + involuntary) of all the process's threads alive now. */
  long contextSwitches() {
    long total = 0;
    java.io.File[] tasks = new java.io.File("/proc/" + process.pid() + "/task").listFiles();
    if (tasks == null) {
      return -1;
    }
    for (java.io.File task : tasks) {
      try {
        for (String line : Files.readAllLines(task.toPath().resolve("status"))) {
          if (line.startsWith("voluntary_ctxt_switches:") || line.startsWith("nonvoluntary_ctxt_switches:")) {
            total += Long.parseLong(line.replaceAll("[^0-9]", ""));
          }
        }
      } catch (IOException | RuntimeException e) {
        // the thread ended meanwhile
      }
    }
    return total;
  }

  /** VmRSS in KiB. */
  long rssKb() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }

  @Override
  public void close() {
    if (answers && process.isAlive()) {
      try {
        commands.write("quit\n");
        commands.flush();
      } catch (IOException e) {
        // already gone
      }
    }
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static void awaitPort(int port, Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
        return;
      } catch (IOException e) {
        TimeUnit.MILLISECONDS.sleep(200);
      }
    }
    throw new IOException("nothing listens on port " + port + " after " + timeout);
  }
}
