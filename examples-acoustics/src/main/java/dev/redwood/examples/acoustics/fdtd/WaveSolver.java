package dev.redwood.examples.acoustics.fdtd;

/**
 * Runs the time stepping of one simulation: the pulse enters at the source cell, every step updates
 * every cell of the domain, and the receiver points record.
 *
 * <p>Two arrays hold the field: the update writes p+ over p- in place, since each cell's p- is read
 * only by that cell. The loop is one flat pass over the array with per-cell coefficients ({@link
 * FivePointKernel}: the Vector API where the JVM has it, else plain loops). Rows the sound cannot
 * have reached yet (the numerical front moves one cell per step) are skipped. Every few steps
 * values below 1e-30 are set to zero: the field ahead of the front and the layer's fields would
 * otherwise sink into subnormal floats, which are many times slower to compute with and mean
 * nothing here.
 */
public final class WaveSolver {
  private static final int FLUSH_EVERY = 16;
  private static final float FLUSH_BELOW = 1e-30f;

  private WaveSolver() {}

  /** Simulates {@code steps} steps of the pulse from the domain's source. */
  public static Recording run(
      SimulationDomain domain,
      GridSettings grid,
      SourcePulse pulse,
      ReceiverPoints points,
      int steps) {
    return run(domain, grid, pulse, domain.source(), points, steps);
  }

  /** Simulates with the source in another air cell of the domain (tests of reciprocity). */
  public static Recording run(
      SimulationDomain domain,
      GridSettings grid,
      SourcePulse pulse,
      int sourceCell,
      ReceiverPoints points,
      int steps) {
    if (!domain.isAir(sourceCell)) {
      throw new IllegalArgumentException("the source cell is not air");
    }
    int nx = domain.nx();
    int ny = domain.ny();
    int n = nx * ny;
    float[] a = domain.a();
    float[] b = domain.b();
    float[] c = domain.c();
    float[] cur = new float[n];
    float[] prev = new float[n];
    float[] phiX = new float[n];
    float[] phiY = new float[n];
    float[] meanY = new float[n];
    float inverseL2 = (float) (1 / (grid.courant() * grid.courant()));
    double dt = grid.timeStep();
    // p+ = a p + c S - b p- + injection; the injection (dt^2 / h^2) s(t) equals q(t) (see
    // SourcePulse), divided by 1 + g like every other term of the source cell's update.
    double h = grid.spacing();
    double injectionScale =
        dt * dt / (h * h) * pulse.amplitude() * c[sourceCell] / (grid.courant() * grid.courant());
    int sourceRow = sourceCell / nx;
    FivePointKernel kernel = FivePointKernel.best();
    Recording recording = new Recording(points, steps, dt);
    int count = points.count();
    double[] gx = new double[count];
    double[] gy = new double[count];
    for (int step = 0; step < steps; step++) {
      // cur holds the field at time step * dt.
      record(recording, step, cur, points, gx, gy, nx);
      int reach = step + 2;
      int rowFrom = Math.max(1, sourceRow - reach);
      int rowTo = Math.min(ny - 2, sourceRow + reach);
      kernel.update(a, b, c, cur, prev, rowFrom * nx, (rowTo + 1) * nx, nx);
      layer(domain, c, cur, prev, phiX, phiY, meanY, nx, inverseL2);
      prev[sourceCell] += (float) (injectionScale * pulse.shape(step * dt));
      float[] swap = prev;
      prev = cur;
      cur = swap;
      if (step % FLUSH_EVERY == FLUSH_EVERY - 1) {
        flush(cur, rowFrom * nx, (rowTo + 1) * nx);
        flush(prev, rowFrom * nx, (rowTo + 1) * nx);
        int[] runs = domain.layerRuns();
        for (int r = 0; r < runs.length; r += 2) {
          flush(phiX, runs[r], runs[r + 1]);
          flush(phiY, runs[r], runs[r + 1]);
        }
      }
    }
    return recording;
  }

  /**
   * The layer's share of a step, in one pass over its cells after the main update: advance phi to
   * the next half step from the field at this step, and add div(phi) to p+, scaled like the cell's
   * other terms (c / lambda^2 = 1 / denominator). div uses phi at this step, the mean of the two
   * half steps around it: with phi of the next half step alone the layer echoes some 35 dB louder.
   * Cells are visited in index order, so the means of the faces to the left and above are already
   * known; faces of cells outside the layer hold phi = 0.
   */
  static void layer(
      SimulationDomain domain,
      float[] c,
      float[] p,
      float[] next,
      float[] phiX,
      float[] phiY,
      float[] meanY,
      int nx,
      float inverseL2) {
    int[] runs = domain.layerRuns();
    float[] dx = domain.phiXDecay();
    float[] gx = domain.phiXGain();
    float[] dy = domain.phiYDecay();
    float[] gy = domain.phiYGain();
    for (int r = 0; r < runs.length; r += 2) {
      float leftMeanX = 0;
      for (int i = runs[r]; i < runs[r + 1]; i++) {
        float oldX = phiX[i];
        float oldY = phiY[i];
        float newX = dx[i] * oldX + gx[i] * (p[i + 1] - p[i]);
        float newY = dy[i] * oldY + gy[i] * (p[i + nx] - p[i]);
        phiX[i] = newX;
        phiY[i] = newY;
        float meanX = 0.5f * (oldX + newX);
        float meanHere = 0.5f * (oldY + newY);
        meanY[i] = meanHere;
        next[i] += c[i] * inverseL2 * (meanX - leftMeanX + meanHere - meanY[i - nx]);
        leftMeanX = meanX;
      }
    }
  }

  private static void record(
      Recording recording,
      int step,
      float[] field,
      ReceiverPoints points,
      double[] gx,
      double[] gy,
      int nx) {
    int count = points.count();
    int base = step * count;
    for (int k = 0; k < count; k++) {
      int i = points.cell(k);
      float p = field[i];
      gx[k] +=
          points.xMinus[k] * field[i - 1] + points.xSelf[k] * p + points.xPlus[k] * field[i + 1];
      gy[k] +=
          points.yMinus[k] * field[i - nx] + points.ySelf[k] * p + points.yPlus[k] * field[i + nx];
      recording.pressure[base + k] = p;
      recording.gradientX[base + k] = (float) gx[k];
      recording.gradientY[base + k] = (float) gy[k];
    }
  }

  private static void flush(float[] field, int from, int to) {
    for (int i = from; i < to; i++) {
      if (Math.abs(field[i]) < FLUSH_BELOW) {
        field[i] = 0;
      }
    }
  }
}
