package dev.redwood.examples.rtm.wave;

import java.io.Serializable;

/**
 * The computational grid: the physical model surrounded by the absorbing sponge layer and, outside
 * that, a frame of {@link StencilWeights#RADIUS} cells that stay zero so the stencil never reads
 * past the array (a zero Dirichlet boundary far behind the sponge).
 *
 * <p>Arrays are stored column by column (depth fastest: {@code index = x * nzPadded + z}), so one
 * column of a grid is a vertical trace, as in most seismic codes. Physical arrays use the same
 * order with {@code nz} rows.
 */
public final class PaddedGrid implements Serializable {
  private static final long serialVersionUID = 1L;

  private final int nz;
  private final int nx;
  private final int sponge;
  private final int nzPadded;
  private final int nxPadded;

  public PaddedGrid(int nz, int nx, int sponge) {
    if (nz < 1 || nx < 1 || sponge < 0) {
      throw new IllegalArgumentException(
          "grid needs nz, nx >= 1 and sponge >= 0, got " + nz + " x " + nx + ", sponge " + sponge);
    }
    this.nz = nz;
    this.nx = nx;
    this.sponge = sponge;
    this.nzPadded = nz + 2 * (sponge + StencilWeights.RADIUS);
    this.nxPadded = nx + 2 * (sponge + StencilWeights.RADIUS);
  }

  public int nz() {
    return nz;
  }

  public int nx() {
    return nx;
  }

  public int sponge() {
    return sponge;
  }

  public int nzPadded() {
    return nzPadded;
  }

  public int nxPadded() {
    return nxPadded;
  }

  public int size() {
    return nzPadded * nxPadded;
  }

  public int physicalSize() {
    return nz * nx;
  }

  /** Padded row (or column) of physical row (or column) 0. */
  public int offset() {
    return sponge + StencilWeights.RADIUS;
  }

  /** Whether padded cell (z, x) lies in the zero frame around the sponge. */
  public boolean inFrame(int z, int x) {
    int r = StencilWeights.RADIUS;
    return z < r || z >= nzPadded - r || x < r || x >= nxPadded - r;
  }

  /** Index in a padded array of padded cell (z, x). */
  public int index(int z, int x) {
    return x * nzPadded + z;
  }

  /** Index in a padded array of physical cell (iz, ix). */
  public int physicalIndex(int iz, int ix) {
    return (ix + offset()) * nzPadded + iz + offset();
  }

  /**
   * How many cells padded cell (z, x) lies inside the sponge: 0 in the physical domain, growing to
   * {@code sponge} at its outer edge (Euclidean distance in the corners).
   */
  public double spongeDepth(int z, int x) {
    int o = offset();
    double dz = Math.max(0, Math.max(o - z, z - (o + nz - 1)));
    double dx = Math.max(0, Math.max(o - x, x - (o + nx - 1)));
    return Math.min(sponge, Math.hypot(dz, dx));
  }

  /**
   * A physical field continued into the sponge and frame by repeating the nearest physical cell
   * (the model outside is what lies at its edge).
   */
  public float[] extend(float[] physical) {
    checkPhysical(physical);
    float[] padded = new float[size()];
    int o = offset();
    for (int x = 0; x < nxPadded; x++) {
      int ix = clamp(x - o, nx);
      for (int z = 0; z < nzPadded; z++) {
        int iz = clamp(z - o, nz);
        padded[index(z, x)] = physical[ix * nz + iz];
      }
    }
    return padded;
  }

  /**
   * The adjoint of {@link #extend}: every padded cell adds its value to the physical cell it was
   * copied from. A gradient over the padded grid becomes the gradient with respect to the physical
   * model, sponge included in the chain rule.
   */
  public float[] extendAdjoint(float[] padded) {
    checkPadded(padded);
    double[] sum = new double[physicalSize()];
    int o = offset();
    for (int x = 0; x < nxPadded; x++) {
      int ix = clamp(x - o, nx);
      for (int z = 0; z < nzPadded; z++) {
        int iz = clamp(z - o, nz);
        sum[ix * nz + iz] += padded[index(z, x)];
      }
    }
    float[] physical = new float[physicalSize()];
    for (int i = 0; i < physical.length; i++) {
      physical[i] = (float) sum[i];
    }
    return physical;
  }

  /** A physical field placed in a padded array with zeros in the sponge and frame. */
  public float[] zeroPad(float[] physical) {
    checkPhysical(physical);
    float[] padded = new float[size()];
    for (int ix = 0; ix < nx; ix++) {
      System.arraycopy(physical, ix * nz, padded, physicalIndex(0, ix), nz);
    }
    return padded;
  }

  /** The physical part of a padded field (the adjoint of {@link #zeroPad}). */
  public float[] crop(float[] padded) {
    checkPadded(padded);
    float[] physical = new float[physicalSize()];
    for (int ix = 0; ix < nx; ix++) {
      System.arraycopy(padded, physicalIndex(0, ix), physical, ix * nz, nz);
    }
    return physical;
  }

  private static int clamp(int i, int n) {
    return i < 0 ? 0 : (i >= n ? n - 1 : i);
  }

  private void checkPhysical(float[] a) {
    if (a.length != physicalSize()) {
      throw new IllegalArgumentException(
          "expected a physical field of " + nz + " x " + nx + ", got " + a.length + " values");
    }
  }

  private void checkPadded(float[] a) {
    if (a.length != size()) {
      throw new IllegalArgumentException(
          "expected a padded field of " + nzPadded + " x " + nxPadded + ", got " + a.length);
    }
  }

  @Override
  public String toString() {
    return nz + " x " + nx + " cells + sponge " + sponge + " (" + nzPadded + " x " + nxPadded + ")";
  }
}
