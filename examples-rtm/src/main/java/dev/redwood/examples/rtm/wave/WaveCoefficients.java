package dev.redwood.examples.rtm.wave;

/**
 * The per-cell coefficients of one leapfrog step of the damped acoustic wave equation
 *
 * <pre>  m u_tt + eta u_t - Laplacian(u) = q,   m = 1 / v^2 (squared slowness)</pre>
 *
 * discretised as D1 u[n+1] = (2 m / dt^2 + L) u[n] - D2 u[n-1] + q[n] with D1 = m/dt^2 + eta/(2
 * dt), D2 = m/dt^2 - eta/(2 dt) and L the eighth-order Laplacian. Dividing by D1 gives the update
 * the kernels run:
 *
 * <pre>  u[n+1] = a u[n] - b u[n-1] + c (h^2 L) u[n]   (+ q[n] / D1)</pre>
 *
 * <p>Because 1/D1 stands on the left of everything, the transpose of this recurrence is the same
 * update run backwards in time: the adjoint wavefield uses the very same kernel and coefficients,
 * which is what makes the migration the exact adjoint of Born modelling.
 */
public final class WaveCoefficients {

  private final PaddedGrid grid;
  private final double dt;
  private final double spacing;
  private final float[] a;
  private final float[] b;
  private final float[] c;
  private final boolean interiorUndamped;

  private WaveCoefficients(
      PaddedGrid grid, double dt, double spacing, float[] a, float[] b, float[] c) {
    this.grid = grid;
    this.dt = dt;
    this.spacing = spacing;
    this.a = a;
    this.b = b;
    this.c = c;
    this.interiorUndamped = undamped(grid, a, b);
  }

  private static boolean undamped(PaddedGrid grid, float[] a, float[] b) {
    for (int ix = 0; ix < grid.nx(); ix++) {
      for (int iz = 0; iz < grid.nz(); iz++) {
        int i = grid.physicalIndex(iz, ix);
        if (a[i] != 2f || b[i] != 1f) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * Coefficients for a padded squared-slowness field (s^2/m^2) and damping field eta (s/m^2), with
   * time step {@code dt} (s) and grid spacing {@code spacing} (m).
   */
  public static WaveCoefficients of(
      PaddedGrid grid, float[] slownessSquared, float[] damping, double dt, double spacing) {
    if (slownessSquared.length != grid.size() || damping.length != grid.size()) {
      throw new IllegalArgumentException("coefficient fields must cover the padded grid " + grid);
    }
    float[] a = new float[grid.size()];
    float[] b = new float[grid.size()];
    float[] c = new float[grid.size()];
    double dt2 = dt * dt;
    double h2 = spacing * spacing;
    for (int i = 0; i < a.length; i++) {
      if (grid.inFrame(i % grid.nzPadded(), i / grid.nzPadded())) {
        continue; // zero: see c()
      }
      double m = slownessSquared[i];
      double d1 = m / dt2 + damping[i] / (2 * dt);
      double d2 = m / dt2 - damping[i] / (2 * dt);
      a[i] = (float) (2 * m / dt2 / d1);
      b[i] = (float) (d2 / d1);
      c[i] = (float) (1 / (h2 * d1));
    }
    return new WaveCoefficients(grid, dt, spacing, a, b, c);
  }

  public PaddedGrid grid() {
    return grid;
  }

  public double dt() {
    return dt;
  }

  public double spacing() {
    return spacing;
  }

  /** Weight of u[n]: 2 m / dt^2 / D1 (2 outside the sponge). */
  public float[] a() {
    return a;
  }

  /** Weight of u[n-1]: D2 / D1 (1 outside the sponge). */
  public float[] b() {
    return b;
  }

  /**
   * Weight of the unit-grid Laplacian: 1 / (h^2 D1), i.e. (v dt / h)^2 outside the sponge.
   *
   * <p>All three weights are zero in the grid's frame, so an update there gives exactly zero: the
   * kernels sweep runs of cells from the bottom of one column through the frame into the top of the
   * next in one loop, and the frame stays zero.
   */
  public float[] c() {
    return c;
  }

  /**
   * Whether a = 2 and b = 1 exactly over the physical domain (no damping there), so kernels may use
   * the shorter update next = 2 u - previous + c lap there, reading two arrays fewer per cell with
   * bit-identical results. The sponge is the only damped region of the models built here.
   */
  public boolean interiorUndamped() {
    return interiorUndamped;
  }

  /**
   * What a unit right-hand side q = 1 at cell i adds to u[n+1]: 1 / D1. Sources and adjoint sources
   * are injected with this factor, so forward and adjoint injection are transposes.
   */
  public float injectionScale(int i) {
    return (float) (c[i] * spacing * spacing);
  }
}
