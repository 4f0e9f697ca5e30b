package dev.redwood.examples.acoustics;

import dev.redwood.examples.acoustics.fdtd.ReceiverPoints;
import dev.redwood.examples.acoustics.fdtd.Recording;
import dev.redwood.examples.acoustics.fdtd.SceneRaster;
import dev.redwood.examples.acoustics.fdtd.SimulationDomain;
import dev.redwood.examples.acoustics.fdtd.WaveSolver;
import dev.redwood.examples.acoustics.parameters.CellParameters;
import dev.redwood.examples.acoustics.parameters.ParameterExtractor;
import dev.redwood.examples.acoustics.parameters.ProbeField;
import dev.redwood.examples.acoustics.scene.Probe;

/**
 * The work of one probe, free of Beam: simulate with the probe as the source, record at every bake
 * cell its sound reaches, and extract the parameters of each cell. The pipeline's DoFn, the tests
 * and the benchmark all bake probes through this class.
 */
public final class ProbeBaker {
  /** Receivers whose series are copied out of the recording together (see Recording#copyBlock). */
  private static final int BLOCK = 32;

  private final BakeSettings settings;
  private final SceneRaster raster;

  public ProbeBaker(BakeSettings settings) {
    this.settings = settings;
    this.raster = new SceneRaster(settings.plan(), settings.grid().spacing());
  }

  public BakeSettings settings() {
    return settings;
  }

  /**
   * What baking one probe produced, with the size of its simulation and where the time went.
   *
   * @param nanos the whole bake of the probe
   * @param simulationNanos the time stepping (with recording) within it
   */
  public record BakeOutcome(
      ProbeField field, int domainCells, int steps, long nanos, long simulationNanos) {}

  public BakeOutcome bake(Probe probe) {
    long start = System.nanoTime();
    SimulationDomain domain =
        SimulationDomain.around(raster, settings.grid(), probe.x(), probe.y());
    ReceiverPoints points = ReceiverPoints.forGrid(domain, settings.cells());
    int steps = settings.steps();
    long simulationStart = System.nanoTime();
    Recording recording = WaveSolver.run(domain, settings.grid(), settings.pulse(), points, steps);
    long simulationNanos = System.nanoTime() - simulationStart;
    ProbeField field = new ProbeField(settings.cells());
    double dt = settings.grid().timeStep();
    double[][] p = new double[BLOCK][steps];
    double[][] gx = new double[BLOCK][steps];
    double[][] gy = new double[BLOCK][steps];
    for (int k0 = 0; k0 < points.count(); k0 += BLOCK) {
      int count = Math.min(BLOCK, points.count() - k0);
      recording.copyBlock(k0, count, p, gx, gy);
      for (int b = 0; b < count; b++) {
        CellParameters parameters =
            ParameterExtractor.extract(p[b], gx[b], gy[b], dt, settings.calibration());
        if (parameters != null) {
          field.set(points.id(k0 + b), parameters);
        }
      }
    }
    return new BakeOutcome(
        field, domain.cellCount(), steps, System.nanoTime() - start, simulationNanos);
  }
}
