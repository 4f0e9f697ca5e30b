package dev.redwood.examples.rtm.model;

import java.io.Serializable;
import java.util.Arrays;

/**
 * A 2D P-wave velocity model on a regular grid: {@code nz} depth samples by {@code nx} lateral
 * samples, {@code spacing} metres apart in both directions, velocities in m/s. Stored column by
 * column (depth fastest), like the float32 grids geophysicists exchange.
 */
public final class VelocityModel implements Serializable {
  private static final long serialVersionUID = 1L;

  private final int nz;
  private final int nx;
  private final double spacing;
  private final float[] velocity;

  public VelocityModel(int nz, int nx, double spacing, float[] velocity) {
    if (nz < 1 || nx < 1) {
      throw new IllegalArgumentException("model needs nz, nx >= 1, got " + nz + " x " + nx);
    }
    if (!(spacing > 0)) {
      throw new IllegalArgumentException("grid spacing must be positive, got " + spacing);
    }
    if (velocity.length != nz * nx) {
      throw new IllegalArgumentException(
          "a " + nz + " x " + nx + " model needs " + nz * nx + " values, got " + velocity.length);
    }
    for (float v : velocity) {
      if (!(v > 0) || Float.isInfinite(v)) {
        throw new IllegalArgumentException("velocities must be positive and finite, found " + v);
      }
    }
    this.nz = nz;
    this.nx = nx;
    this.spacing = spacing;
    this.velocity = velocity;
  }

  public int nz() {
    return nz;
  }

  public int nx() {
    return nx;
  }

  /** Grid spacing in metres (the same in depth and across). */
  public double spacing() {
    return spacing;
  }

  /** Velocity at depth row iz, column ix (m/s). */
  public float at(int iz, int ix) {
    return velocity[ix * nz + iz];
  }

  /** The velocities, depth fastest (not a copy: do not modify). */
  public float[] values() {
    return velocity;
  }

  public float min() {
    float m = Float.MAX_VALUE;
    for (float v : velocity) {
      m = Math.min(m, v);
    }
    return m;
  }

  public float max() {
    float m = 0;
    for (float v : velocity) {
      m = Math.max(m, v);
    }
    return m;
  }

  /** Width of the model in metres (first to last column). */
  public double width() {
    return (nx - 1) * spacing;
  }

  /** Depth of the model in metres (first to last row). */
  public double depth() {
    return (nz - 1) * spacing;
  }

  /** Squared slowness 1 / v^2 (s^2/m^2), the parameter the wave equation is linear in. */
  public float[] squaredSlowness() {
    float[] m = new float[velocity.length];
    for (int i = 0; i < m.length; i++) {
      m[i] = 1f / (velocity[i] * velocity[i]);
    }
    return m;
  }

  /** The model whose squared slowness is {@code m}. */
  public static VelocityModel fromSquaredSlowness(int nz, int nx, double spacing, float[] m) {
    float[] v = new float[m.length];
    for (int i = 0; i < m.length; i++) {
      v[i] = (float) (1 / Math.sqrt(m[i]));
    }
    return new VelocityModel(nz, nx, spacing, v);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VelocityModel other
        && nz == other.nz
        && nx == other.nx
        && spacing == other.spacing
        && Arrays.equals(velocity, other.velocity);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(velocity) * 31 + nz * 7 + nx;
  }

  @Override
  public String toString() {
    return String.format(
        "%d x %d cells at %.4g m (%.0f x %.0f m), %.0f-%.0f m/s",
        nz, nx, spacing, depth(), width(), min(), max());
  }
}
