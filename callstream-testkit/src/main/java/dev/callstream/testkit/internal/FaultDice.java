package dev.callstream.testkit.internal;

import dev.callstream.testkit.Fault;
import java.util.Arrays;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The seeded fault choices of one call, shared by both fakes (WebSocket and gRPC) so that a seed
 * means the same thing in each: one random stream per (seed, call index); the call-level faults are
 * drawn first, in a fixed order ({@link #abortPoint}, then {@link #garbagePoints}); then exactly one
 * {@link #draw()} per unit of audio (a frame or chunk of one side or segment), in sending order, so
 * the choices never shift with the audio content. Not thread-safe: one instance per call.
 */
public final class FaultDice {
  private static final Fault[] FRAME_FAULTS = {Fault.DROP, Fault.DUPLICATE, Fault.REORDER};

  private final SplittableRandom random;
  private final Set<Fault> faults;
  private final Fault[] frameFaults;
  private final double rate;

  public FaultDice(long seed, int index, Set<Fault> faults, double rate) {
    this.random = callRandom(seed, index);
    this.faults = faults;
    this.frameFaults = Arrays.stream(FRAME_FAULTS).filter(faults::contains).toArray(Fault[]::new);
    this.rate = rate;
  }

  /**
   * Not {@code seed + GOLDEN_GAMMA * index}: SplittableRandom steps by that same gamma, so call
   * {@code i + 1} would replay call {@code i}'s choices shifted by one draw. A split per index gives
   * independent streams.
   */
  static SplittableRandom callRandom(long seed, int index) {
    SplittableRandom calls = new SplittableRandom(seed);
    for (int i = 0; i < index; i++) {
      calls.split();
    }
    return calls.split();
  }

  /**
   * Where {@link Fault#ABORT} cuts a call of {@code units} units: between 25 % and 75 % of it, or -1
   * when the fault is off or the call is empty (then nothing is drawn).
   */
  public long abortPoint(long units) {
    return faults.contains(Fault.ABORT) && units > 0 ? units / 4 + random.nextLong(Math.max(1, units / 2)) : -1;
  }

  /**
   * Where the {@code kinds} malformed messages of {@link Fault#GARBAGE} go (one unit each, in
   * {@code [0, units)}), or all -1 when the fault is off or the call is empty.
   */
  public long[] garbagePoints(int kinds, long units) {
    long[] points = new long[kinds];
    Arrays.fill(points, -1);
    if (faults.contains(Fault.GARBAGE) && units > 0) {
      for (int kind = 0; kind < kinds; kind++) {
        points[kind] = random.nextLong(units);
      }
    }
    return points;
  }

  /**
   * The per-unit fault ({@link Fault#DROP}, {@link Fault#DUPLICATE}, {@link Fault#REORDER}) or null;
   * one draw whatever the faults, so the choices do not shift with the audio.
   */
  public Fault draw() {
    double draw = random.nextDouble();
    if (rate <= 0) {
      return null;
    }
    int slot = (int) (draw / rate);
    return slot < frameFaults.length ? frameFaults[slot] : null;
  }
}
