package dev.callstream.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StereoAssemblerTest {

  private static final class Collector implements StereoAssembler.Sink {
    final ByteArrayOutputStream stereo = new ByteArrayOutputStream();
    final List<String> patches = new ArrayList<>();

    @Override
    public void writeSlot(byte[] interleaved, int off, int len) {
      stereo.write(interleaved, off, len);
    }

    @Override
    public void patchSlot(long slot, int stereoIndex, byte[] mono, int off, int len) {
      patches.add(slot + ":" + stereoIndex + ":" + Arrays.hashCode(Arrays.copyOfRange(mono, off, off + len)));
    }
  }

  /** The definition: sample i of the left side, then sample i of the right side; null is silence. */
  private static byte[] interleaveByDefinition(byte[] left, byte[] right, int samples) {
    byte[] out = new byte[samples * 4];
    for (int i = 0; i < samples; i++) {
      out[4 * i] = left == null ? 0 : left[2 * i];
      out[4 * i + 1] = left == null ? 0 : left[2 * i + 1];
      out[4 * i + 2] = right == null ? 0 : right[2 * i];
      out[4 * i + 3] = right == null ? 0 : right[2 * i + 1];
    }
    return out;
  }

  @Test
  void interleavesSampleBySampleForEvenAndOddSlotSizesAndSilentSides() throws Exception {
    Random random = new Random(3);
    for (int samples : new int[] {1, 2, 3, 7, 160, 161}) {
      Collector sink = new Collector();
      StereoAssembler assembler = new StereoAssembler(samples, 4, sink);
      ByteArrayOutputStream expected = new ByteArrayOutputStream();
      for (int slot = 0; slot < 12; slot++) {
        byte[] left = new byte[samples * 2];
        byte[] right = new byte[samples * 2];
        random.nextBytes(left);
        random.nextBytes(right);
        boolean leftSilent = slot % 3 == 1;
        boolean rightSilent = slot % 4 == 2;
        assembler.put(0, slot, leftSilent ? null : left, 0);
        assembler.put(1, slot, rightSilent ? null : right, 0);
        expected.writeBytes(interleaveByDefinition(leftSilent ? null : left, rightSilent ? null : right, samples));
      }
      assertThat(sink.stereo.toByteArray()).as("%d samples per slot", samples).isEqualTo(expected.toByteArray());
    }
  }

  @Test
  void readsEachSideFromItsOffset() throws Exception {
    int samples = 160;
    byte[] left = new byte[samples * 2 + 6];
    byte[] right = new byte[samples * 2 + 6];
    new Random(5).nextBytes(left);
    new Random(6).nextBytes(right);
    Collector sink = new Collector();
    StereoAssembler assembler = new StereoAssembler(samples, 2, sink);
    assembler.put(1, 0, right, 6);   // the right side first: it waits for the left
    assembler.put(0, 0, left, 6);
    assertThat(sink.stereo.toByteArray()).isEqualTo(interleaveByDefinition(
        Arrays.copyOfRange(left, 6, left.length), Arrays.copyOfRange(right, 6, right.length), samples));
  }

  @Test
  void aSideAWholeWindowAheadIsEmittedAloneAndTheLateSideIsPatchedIn() throws Exception {
    int samples = 4;
    Collector sink = new Collector();
    StereoAssembler assembler = new StereoAssembler(samples, 2, sink);
    byte[][] left = new byte[3][];
    for (int slot = 0; slot < 3; slot++) {
      left[slot] = new byte[samples * 2];
      Arrays.fill(left[slot], (byte) (slot + 1));
      assembler.put(0, slot, left[slot], 0);
    }
    // Slot 0 left the window: emitted with a silent right side.
    assertThat(sink.stereo.toByteArray()).isEqualTo(interleaveByDefinition(left[0], null, samples));
    byte[] late = new byte[samples * 2];
    Arrays.fill(late, (byte) 9);
    assembler.put(1, 0, late, 0);
    assertThat(sink.patches).containsExactly("0:1:" + Arrays.hashCode(late));
    assembler.finish();
    assertThat(assembler.emittedSlots()).isEqualTo(3);
  }
}
