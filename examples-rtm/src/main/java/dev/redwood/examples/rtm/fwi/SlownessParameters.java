package dev.redwood.examples.rtm.fwi;

import dev.redwood.examples.rtm.model.VelocityModel;

/**
 * The inversion's unknowns: squared slowness in s^2/km^2 (values of order 0.05 to 0.45, which keeps
 * the optimiser's arithmetic well scaled), one per model cell, with cells that are known and held
 * fixed (the water column, where sources and receivers sit and the gradient is largest and least
 * useful). Converts between models and parameter vectors, gradients with respect to squared
 * slowness in s^2/m^2 into gradients with respect to the parameters, and velocity limits into
 * bounds.
 */
public final class SlownessParameters {

  /** (s/m)^2 to (s/km)^2. */
  private static final double SCALE = 1e6;

  private final int nz;
  private final int nx;
  private final double spacing;
  private final boolean[] fixed;
  private final double[] start;

  /**
   * @param start the starting model
   * @param fixedRows per column, the rows from the top held at their starting values
   */
  public SlownessParameters(VelocityModel start, int[] fixedRows) {
    this.nz = start.nz();
    this.nx = start.nx();
    this.spacing = start.spacing();
    this.fixed = new boolean[nz * nx];
    for (int ix = 0; ix < nx; ix++) {
      for (int iz = 0; iz < Math.min(nz, fixedRows[ix]); iz++) {
        fixed[ix * nz + iz] = true;
      }
    }
    this.start = toParameters(start);
  }

  public double[] start() {
    return start.clone();
  }

  public double[] toParameters(VelocityModel model) {
    float[] v = model.values();
    double[] x = new double[v.length];
    for (int i = 0; i < x.length; i++) {
      x[i] = SCALE / ((double) v[i] * v[i]);
    }
    return x;
  }

  public VelocityModel toModel(double[] x) {
    float[] v = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      double p = fixed[i] ? start[i] : x[i];
      v[i] = (float) Math.sqrt(SCALE / p);
    }
    return new VelocityModel(nz, nx, spacing, v);
  }

  /** dJ/dx from dJ/dm (m in s^2/m^2), zero for fixed cells. */
  public double[] gradient(float[] squaredSlownessGradient) {
    double[] g = new double[squaredSlownessGradient.length];
    for (int i = 0; i < g.length; i++) {
      g[i] = fixed[i] ? 0 : squaredSlownessGradient[i] / SCALE;
    }
    return g;
  }

  /** Lower bounds: the squared slowness of {@code maxVelocity} (fixed cells: their value). */
  public double[] lowerBounds(double maxVelocity) {
    return bounds(SCALE / (maxVelocity * maxVelocity));
  }

  /** Upper bounds: the squared slowness of {@code minVelocity} (fixed cells: their value). */
  public double[] upperBounds(double minVelocity) {
    return bounds(SCALE / (minVelocity * minVelocity));
  }

  private double[] bounds(double value) {
    double[] b = new double[start.length];
    for (int i = 0; i < b.length; i++) {
      b[i] = fixed[i] ? start[i] : value;
    }
    return b;
  }
}
