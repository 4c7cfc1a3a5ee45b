package dev.callstream.testkit.internal;

import dev.callstream.testkit.Fault;
import dev.callstream.testkit.Pacing;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * The settings both fakes (WebSocket and gRPC) share, with the same defaults and checks, so that a
 * secret, a pacing or a fault seed means the same thing in each. The public builders keep their own
 * methods and Javadoc and store here.
 *
 * @param secret the bearer secret sent with every call, or null for none
 * @param faults immutable
 */
public record SenderSettings(String secret, Pacing pacing, Set<Fault> faults, double faultRate, long seed) {

  /** The seeded fault choices of the call with {@code index}. */
  public FaultDice dice(int index) {
    return new FaultDice(seed, index, faults, faultRate);
  }

  /** Mutable; not thread-safe. */
  public static final class Builder {
    private String secret;
    private Pacing pacing = Pacing.REALTIME;
    private Set<Fault> faults = EnumSet.noneOf(Fault.class);
    private double faultRate = 0.02;
    private long seed = 1;

    public void secret(String secret) {
      this.secret = Objects.requireNonNull(secret, "secret");
    }

    public void pacing(Pacing pacing) {
      this.pacing = Objects.requireNonNull(pacing, "pacing");
    }

    public void faults(Set<Fault> faults) {
      this.faults = EnumSet.noneOf(Fault.class);
      this.faults.addAll(faults);
    }

    public void faultRate(double faultRate) {
      if (!(faultRate >= 0 && faultRate <= 0.3)) {
        throw new IllegalArgumentException("faultRate not in [0, 0.3]: " + faultRate);
      }
      this.faultRate = faultRate;
    }

    public void seed(long seed) {
      this.seed = seed;
    }

    public SenderSettings build() {
      Set<Fault> copy = Set.copyOf(faults.isEmpty() ? EnumSet.noneOf(Fault.class) : EnumSet.copyOf(faults));
      return new SenderSettings(secret, pacing, copy, faultRate, seed);
    }
  }
}
