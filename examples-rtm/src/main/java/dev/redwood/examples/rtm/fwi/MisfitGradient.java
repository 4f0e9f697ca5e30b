package dev.redwood.examples.rtm.fwi;

import java.io.Serializable;

/**
 * The least-squares misfit of one or more shots, 1/2 sum (predicted - observed)^2, and its gradient
 * with respect to the squared slowness of every model cell (depth fastest). Sums over shots are
 * sums of both parts.
 */
public final class MisfitGradient implements Serializable {
  private static final long serialVersionUID = 1L;

  private final double misfit;
  private final float[] gradient;
  private final int shots;

  public MisfitGradient(double misfit, float[] gradient, int shots) {
    this.misfit = misfit;
    this.gradient = gradient;
    this.shots = shots;
  }

  public double misfit() {
    return misfit;
  }

  /** Not a copy. */
  public float[] gradient() {
    return gradient;
  }

  /** How many shots were summed into this. */
  public int shots() {
    return shots;
  }

  /** This plus {@code other}, accumulated into this object's gradient array. */
  public MisfitGradient plus(MisfitGradient other) {
    if (other.gradient.length != gradient.length) {
      throw new IllegalArgumentException(
          "gradients of different sizes: " + gradient.length + " and " + other.gradient.length);
    }
    for (int i = 0; i < gradient.length; i++) {
      gradient[i] += other.gradient[i];
    }
    return new MisfitGradient(misfit + other.misfit, gradient, shots + other.shots);
  }
}
