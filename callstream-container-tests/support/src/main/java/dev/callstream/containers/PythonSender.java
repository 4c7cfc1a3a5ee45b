package dev.callstream.containers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code send_calls.py} (Debian's python3 with python3-websockets: an independent WebSocket
 * client and JSON encoder) on a plan this class writes: per call the audio of both sides and the
 * exact order of (side, sequence) to send, with drops, duplicates and one-place reorderings chosen
 * here, so the test knows exactly what the recording must hold.
 */
public final class PythonSender {
  public static final String PYTHON = "/usr/bin/python3";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One planned call and what it will really send. */
  public static final class PlannedCall {
    public final String callId;
    public final byte[] agent;
    public final byte[] conference;
    public final Set<Integer> droppedAgent = new TreeSet<>();
    public final Set<Integer> droppedConference = new TreeSet<>();
    final List<Object[]> order = new ArrayList<>();
    final URI url;
    final Map<String, String> headers;

    PlannedCall(String callId, URI url, Map<String, String> headers, byte[] agent, byte[] conference) {
      this.callId = callId;
      this.url = url;
      this.headers = headers;
      this.agent = agent;
      this.conference = conference;
    }
  }

  /** How one call went, as the Python client saw it. */
  public record Result(String callId, Integer status, Integer closeCode, String error) {}

  /** Whether Debian's python3 with the websockets module is there. */
  public static boolean available() {
    try {
      Process process = new ProcessBuilder(PYTHON, "-c", "import websockets").redirectErrorStream(true).start();
      return process.waitFor(20, TimeUnit.SECONDS) && process.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Plans a call of {@code frames} frames per side, interleaved agent/conference, each frame dropped,
   * duplicated or sent one place late with probability {@code faultRate} each (from {@code seed}).
   */
  public static PlannedCall plan(String callId, URI url, Map<String, String> headers, byte[] agent, byte[] conference,
      double faultRate, long seed) {
    PlannedCall call = new PlannedCall(callId, url, headers, agent, conference);
    java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
    int frames = agent.length / Recordings.FRAME_SAMPLES;
    Object[] heldAgent = null;
    Object[] heldConference = null;
    for (int p = 0; p < frames; p++) {
      for (String side : List.of("Participant", "Conference")) {
        boolean isAgent = side.equals("Participant");
        Object[] entry = {side, p + 1};
        double draw = random.nextDouble();
        // Never the first or last frame: a side's edges decide where its recording starts and ends.
        boolean edge = p == 0 || p == frames - 1;
        List<Object[]> out = new ArrayList<>();
        if (!edge && draw < faultRate) {
          (isAgent ? call.droppedAgent : call.droppedConference).add(p);
        } else if (!edge && draw < 2 * faultRate) {
          out.add(entry);
          out.add(entry);
        } else if (!edge && draw < 3 * faultRate && (isAgent ? heldAgent : heldConference) == null) {
          if (isAgent) {
            heldAgent = entry;
          } else {
            heldConference = entry;
          }
          continue;
        } else {
          out.add(entry);
        }
        call.order.addAll(out);
        Object[] held = isAgent ? heldAgent : heldConference;
        if (held != null && held != entry) {
          call.order.add(held);
          if (isAgent) {
            heldAgent = null;
          } else {
            heldConference = null;
          }
        }
      }
    }
    return call;
  }

  /** Plays the calls concurrently and returns one result per call, in plan order. */
  public static List<Result> play(List<PlannedCall> calls, Path work) throws Exception {
    Path script = work.resolve("send_calls.py");
    try (InputStream in = PythonSender.class.getResourceAsStream("send_calls.py")) {
      Files.write(script, in.readAllBytes());
    }
    List<Map<String, Object>> planned = new ArrayList<>();
    for (PlannedCall call : calls) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("url", call.url.toString());
      entry.put("headers", call.headers);
      entry.put("callId", call.callId);
      entry.put("sessionId", "1");
      entry.put("agent", Base64.getEncoder().encodeToString(call.agent));
      entry.put("conference", Base64.getEncoder().encodeToString(call.conference));
      entry.put("order", call.order);
      planned.add(entry);
    }
    Path plan = work.resolve("plan.json");
    JSON.writeValue(plan.toFile(), Map.of("calls", planned));
    Path output = work.resolve("python.out");
    Process process = new ProcessBuilder(PYTHON, script.toString(), plan.toString())
        .redirectErrorStream(true).redirectOutput(output.toFile()).start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("send_calls.py did not finish within 60 s");
    }
    String text = Files.readString(output, StandardCharsets.UTF_8);
    if (process.exitValue() != 0) {
      throw new AssertionError("send_calls.py exited with " + process.exitValue() + ":\n" + text);
    }
    List<Result> results = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.startsWith("{")) {
        JsonNode node = JSON.readTree(line);
        results.add(new Result(node.get("callId").asText(), node.get("status").isNull() ? null : node.get("status").asInt(),
            node.get("closeCode").isNull() ? null : node.get("closeCode").asInt(),
            node.get("error").isNull() ? null : node.get("error").asText()));
      }
    }
    if (results.size() != calls.size()) {
      throw new AssertionError("send_calls.py reported " + results.size() + " calls of " + calls.size() + ":\n" + text);
    }
    return results;
  }
}
