package dev.callstream.core.recording;

import dev.callstream.core.internal.WavRepair;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the files of one call folder that a crash interrupted agree with each other, from what is on
 * disk only.
 *
 * <p>Each writer loses a different tail in a crash (its write buffer, up to about a second), so the
 * files end at different times. Because {@code stereo.wav} holds exactly the samples of
 * {@code agent.wav} (left) and {@code conference.wav} (right), a tail that one of them kept is
 * copied into the others; then every WAV file of the call is padded with silence to the longest, on
 * the call's timeline (WebSocket: up to a whole 20 ms frame). For a WebSocket call the per-side
 * {@code frames} and {@code gaps} of {@code call.json} are then recounted so that they add up to the
 * frames in the files: the gaps saved before the crash stay gaps, the silence the repair added counts
 * as gaps, and every other frame on disk counts as a frame. (A gap that happened after the last save
 * of {@code call.json} cannot be told from received audio and is counted as a frame.) A gRPC call's
 * counters stay as last saved: its side files are mixes whose frames cannot be counted back.
 */
final class RecordingRepair {
  private static final Logger LOG = LoggerFactory.getLogger(RecordingRepair.class);
  /** The header {@link WavWriter#pcm16} writes: RIFF, a 16-byte fmt chunk, data. */
  private static final int HEADER = 44;
  private static final int CHUNK = 64 * 1024;

  private RecordingRepair() {}

  /** A PCM file of the call: its sample frames (per channel) on disk, before and after the repair. */
  private static final class Wav {
    final Path path;
    final int channels;
    final int rate;
    final long frames;

    Wav(Path path, int channels, int rate, long frames) {
      this.path = path;
      this.channels = channels;
      this.rate = rate;
      this.frames = frames;
    }
  }

  /**
   * Repairs the headers of every WAV file in {@code folder}, makes the files consistent and updates
   * the counters in {@code json} (the folder's {@code call.json}, not yet written back).
   */
  static void repair(Path folder, Map<String, Object> json) throws IOException {
    List<Wav> wavs = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, "*.wav")) {
      for (Path file : files) {
        try {
          WavWriter.repair(file);
          Wav wav = read(file);
          if (wav == null) {
            LOG.warn("{}: not a 16-bit PCM file as the recorder writes them; only its header was repaired", file);
          } else {
            wavs.add(wav);
          }
        } catch (IOException e) {
          LOG.warn("cannot repair {}: {}", file, e.toString());
        }
      }
    }
    if (wavs.isEmpty()) {
      return;
    }
    int rate = wavs.get(0).rate;
    for (Wav wav : wavs) {
      if (wav.rate != rate) {
        LOG.warn("{}: files at different rates ({} and {} Hz); lengths left as they are", folder, rate, wav.rate);
        return;
      }
    }
    Wav agent = find(wavs, CallRecorder.Track.AGENT.fileName(), 1);
    Wav conference = find(wavs, CallRecorder.Track.CONFERENCE.fileName(), 1);
    Wav stereo = find(wavs, CallRecorder.Track.STEREO.fileName(), 2);
    boolean webSocket = "wss".equals(json.get("transport")) || !json.containsKey("transport");
    int frameSamples = webSocket ? Math.max(1, rate / 50) : 1;

    long longest = 0;
    for (Wav wav : wavs) {
      longest = Math.max(longest, wav.frames);
    }
    long end = ceil(longest, frameSamples) * frameSamples;

    // What each side holds on disk, in either of its files, before anything is added. Past its mono
    // file, a side's channel of the stereo file counts only up to its last sound: the stereo file
    // carries silence for a side that has not arrived yet (and silence is what a gap is).
    long agentHeld = held(agent, stereo, 0);
    long conferenceHeld = held(conference, stereo, 1);

    if (agent != null) {
      extendMono(agent, stereo, 0, agentHeld, end);
    }
    if (conference != null) {
      extendMono(conference, stereo, 1, conferenceHeld, end);
    }
    if (stereo != null) {
      extendStereo(stereo, agent, conference, end);
    }
    for (Wav wav : wavs) {
      if (wav != agent && wav != conference && wav != stereo) {
        appendSilence(wav, end - wav.frames);
      }
      WavRepair.repair(wav.path); // sizes from the new length
    }

    if (webSocket) {
      long slots = end / frameSamples;
      recount(json, "agent", ceil(agentHeld, frameSamples), slots);
      recount(json, "conference", ceil(conferenceHeld, frameSamples), slots);
    }
  }

  /** frames + gaps = slots: saved gaps stay gaps (as far as the side's data reaches), the padding is gaps. */
  @SuppressWarnings("unchecked")
  private static void recount(Map<String, Object> json, String side, long held, long slots) {
    Object channels = json.get("channels");
    if (!(channels instanceof Map)) {
      channels = new LinkedHashMap<String, Object>();
      json.put("channels", channels);
    }
    Map<String, Object> counters = (Map<String, Object>) ((Map<String, Object>) channels)
        .computeIfAbsent(side, key -> new LinkedHashMap<String, Object>());
    long savedGaps = counters.get("gaps") instanceof Number number ? number.longValue() : 0;
    long gapsHeld = Math.min(savedGaps, held);
    counters.put("frames", held - gapsHeld);
    counters.put("gaps", gapsHeld + (slots - held));
    for (String other : List.of("duplicates", "late", "reordered")) {
      counters.putIfAbsent(other, 0);
    }
  }

  private static Wav find(List<Wav> wavs, String name, int channels) {
    for (Wav wav : wavs) {
      if (wav.path.getFileName().toString().equals(name) && wav.channels == channels) {
        return wav;
      }
    }
    return null;
  }

  /** Sample frames of one side on disk: its mono file, or further its stereo channel up to its last non-zero sample. */
  private static long held(Wav mono, Wav stereo, int channel) throws IOException {
    long held = mono == null ? 0 : mono.frames;
    if (stereo == null || stereo.frames <= held) {
      return held;
    }
    try (FileChannel in = FileChannel.open(stereo.path, StandardOpenOption.READ)) {
      for (long at = held; at < stereo.frames; ) {
        int count = (int) Math.min(CHUNK / 4, stereo.frames - at);
        ByteBuffer interleaved = readFully(in, HEADER + at * 4, count * 4);
        for (int i = 0; i < count; i++) {
          if (interleaved.getShort(i * 4 + channel * 2) != 0) {
            held = at + i + 1;
          }
        }
        at += count;
      }
    }
    return held;
  }

  /** A mono file's missing tail: its channel of the stereo file up to {@code held}, then silence. */
  private static void extendMono(Wav mono, Wav stereo, int channel, long held, long end) throws IOException {
    long from = mono.frames;
    if (stereo != null && held > from) {
      try (FileChannel in = FileChannel.open(stereo.path, StandardOpenOption.READ);
          FileChannel out = FileChannel.open(mono.path, StandardOpenOption.WRITE)) {
        long to = Math.min(held, end);
        for (long at = from; at < to; ) {
          int count = (int) Math.min(CHUNK / 4, to - at);
          ByteBuffer interleaved = readFully(in, HEADER + at * 4, count * 4);
          ByteBuffer samples = ByteBuffer.allocate(count * 2).order(ByteOrder.LITTLE_ENDIAN);
          for (int i = 0; i < count; i++) {
            samples.putShort(interleaved.getShort(i * 4 + channel * 2));
          }
          writeFully(out, samples.flip(), HEADER + at * 2);
          at += count;
        }
        from = to;
      }
    }
    appendSilence(new Wav(mono.path, 1, mono.rate, from), end - from);
  }

  /** The stereo file's missing tail: each channel from its mono file where that reaches, else silence. */
  private static void extendStereo(Wav stereo, Wav agent, Wav conference, long end) throws IOException {
    long from = stereo.frames;
    if (from >= end) {
      return;
    }
    try (FileChannel out = FileChannel.open(stereo.path, StandardOpenOption.WRITE);
        FileChannel left = agent == null ? null : FileChannel.open(agent.path, StandardOpenOption.READ);
        FileChannel right = conference == null ? null : FileChannel.open(conference.path, StandardOpenOption.READ)) {
      for (long at = from; at < end; ) {
        int count = (int) Math.min(CHUNK / 4, end - at);
        ByteBuffer l = side(left, agent, at, count);
        ByteBuffer r = side(right, conference, at, count);
        ByteBuffer interleaved = ByteBuffer.allocate(count * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
          interleaved.putShort(l.getShort(i * 2)).putShort(r.getShort(i * 2));
        }
        writeFully(out, interleaved.flip(), HEADER + at * 4);
        at += count;
      }
    }
  }

  /** {@code count} samples of a mono file from {@code at}, silence where its ORIGINAL data ends. */
  private static ByteBuffer side(FileChannel file, Wav mono, long at, int count) throws IOException {
    ByteBuffer samples = ByteBuffer.allocate(count * 2).order(ByteOrder.LITTLE_ENDIAN);
    if (file != null && at < mono.frames) {
      int held = (int) Math.min(count, mono.frames - at);
      samples.put(readFully(file, HEADER + at * 2, held * 2));
    }
    return samples.clear();
  }

  private static void appendSilence(Wav wav, long frames) throws IOException {
    if (frames <= 0) {
      return;
    }
    try (FileChannel out = FileChannel.open(wav.path, StandardOpenOption.WRITE)) {
      int frameBytes = 2 * wav.channels;
      long at = HEADER + wav.frames * frameBytes;
      out.truncate(at); // nothing after the data (a cut partial sample frame is already gone)
      ByteBuffer zeros = ByteBuffer.allocate(CHUNK - CHUNK % frameBytes);
      for (long left = frames * frameBytes; left > 0; ) {
        int now = (int) Math.min(zeros.capacity(), left);
        writeFully(out, zeros.clear().limit(now), at);
        at += now;
        left -= now;
      }
    }
  }

  /** The recorder's own PCM layout, or null for anything else. */
  private static Wav read(Path path) throws IOException {
    try (FileChannel file = FileChannel.open(path, StandardOpenOption.READ)) {
      if (file.size() < HEADER) {
        return null;
      }
      ByteBuffer header = readFully(file, 0, HEADER);
      if (!tag(header, 0).equals("RIFF") || !tag(header, 8).equals("WAVE") || !tag(header, 12).equals("fmt ")
          || header.getInt(16) != 16 || header.getShort(20) != 1 || header.getShort(34) != 16
          || !tag(header, 36).equals("data")) {
        return null;
      }
      int channels = header.getShort(22);
      int rate = header.getInt(24);
      if (channels < 1 || channels > 2 || rate <= 0) {
        return null;
      }
      long data = Integer.toUnsignedLong(header.getInt(40));
      return new Wav(path, channels, rate, Math.min(data, file.size() - HEADER) / (2L * channels));
    }
  }

  private static String tag(ByteBuffer buffer, int offset) {
    byte[] bytes = new byte[4];
    buffer.get(offset, bytes);
    return new String(bytes, StandardCharsets.US_ASCII);
  }

  private static ByteBuffer readFully(FileChannel file, long position, int length) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
    while (buffer.hasRemaining()) {
      if (file.read(buffer, position + buffer.position()) < 0) {
        throw new IOException("unexpected end of file");
      }
    }
    return buffer.flip();
  }

  private static void writeFully(FileChannel file, ByteBuffer data, long position) throws IOException {
    while (data.hasRemaining()) {
      file.write(data, position + data.position());
    }
  }

  private static long ceil(long value, long unit) {
    return (value + unit - 1) / unit;
  }
}
