package dev.redwood.examples.acoustics.fdtd;

/**
 * What a simulation recorded at its receiver points: per time step and point, the pressure and the
 * running time integral of the pressure gradient (the particle velocity times -rho). Arrays are
 * step-major: value of point k at step n is at {@code n * count + k}.
 */
public final class Recording {
  private final ReceiverPoints points;
  private final int steps;
  private final double timeStep;
  final float[] pressure;
  final float[] gradientX;
  final float[] gradientY;

  Recording(ReceiverPoints points, int steps, double timeStep) {
    this.points = points;
    this.steps = steps;
    this.timeStep = timeStep;
    int n = steps * points.count();
    this.pressure = new float[n];
    this.gradientX = new float[n];
    this.gradientY = new float[n];
  }

  public ReceiverPoints points() {
    return points;
  }

  public int steps() {
    return steps;
  }

  public double timeStep() {
    return timeStep;
  }

  /** The pressure of point k at every step (a copy). */
  public double[] pressure(int k) {
    return series(pressure, k);
  }

  /** The time-integrated x gradient of point k at every step (a copy). */
  public double[] integratedGradientX(int k) {
    return series(gradientX, k);
  }

  /** The time-integrated y gradient of point k at every step (a copy). */
  public double[] integratedGradientY(int k) {
    return series(gradientY, k);
  }

  /**
   * Copies the series of points k0 .. k0 + count - 1 into the rows of the given arrays. The data
   * are step-major, so a point's series is strided; copying a block of neighbouring points reads
   * each cache line once instead of once per point.
   */
  public void copyBlock(int k0, int count, double[][] p, double[][] gx, double[][] gy) {
    int points = this.points.count();
    for (int n = 0; n < steps; n++) {
      int base = n * points + k0;
      for (int b = 0; b < count; b++) {
        p[b][n] = pressure[base + b];
        gx[b][n] = gradientX[base + b];
        gy[b][n] = gradientY[base + b];
      }
    }
  }

  private double[] series(float[] data, int k) {
    int count = points.count();
    double[] out = new double[steps];
    for (int n = 0; n < steps; n++) {
      out[n] = data[n * count + k];
    }
    return out;
  }
}
