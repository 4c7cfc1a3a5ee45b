package dev.callstream.server.internal;

import java.io.ByteArrayOutputStream;

/** WebSocket frames as a client writes them (masked), for tests that craft the byte stream by hand. */
public final class ClientFrames {
  private ClientFrames() {}

  /**
   * One masked frame: {@code first} (FIN, reserved bits and opcode), the shortest length encoding of
   * {@code payload}, then {@code mask} (big-endian) and the payload XOR-ed with it.
   */
  public static byte[] masked(int first, byte[] payload, int mask) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(first);
    int length = payload.length;
    if (length < 126) {
      out.write(0x80 | length);
    } else if (length < 65536) {
      out.write(0x80 | 126);
      out.write(length >> 8);
      out.write(length);
    } else {
      out.write(0x80 | 127);
      for (int shift = 56; shift >= 0; shift -= 8) {
        out.write((int) ((long) length >> shift));
      }
    }
    byte[] maskBytes = {(byte) (mask >>> 24), (byte) (mask >>> 16), (byte) (mask >>> 8), (byte) mask};
    out.writeBytes(maskBytes);
    for (int i = 0; i < length; i++) {
      out.write(payload[i] ^ maskBytes[i & 3]);
    }
    return out.toByteArray();
  }
}
