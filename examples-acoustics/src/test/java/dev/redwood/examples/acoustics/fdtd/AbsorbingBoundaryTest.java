package dev.redwood.examples.acoustics.fdtd;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.lessThan;

import dev.redwood.examples.acoustics.BakeSettings;
import dev.redwood.examples.acoustics.TestScenes;
import dev.redwood.examples.acoustics.parameters.ParameterExtractor;
import dev.redwood.examples.acoustics.scene.FloorPlan;
import org.junit.jupiter.api.Test;

/**
 * Sound that leaves the plan does not come back: after the direct sound has passed, the simulated
 * pressure 2 m from the source differs from the exact free-field pressure by little, although the
 * plan's edge is only 6 m away.
 */
class AbsorbingBoundaryTest {

  @Test
  void openFieldHasNoEchoFromItsEdge() {
    // The edge's echo would reach the receiver 30 to 60 ms after emission.
    assertThat(echoToDirectDb(TestScenes.openField(12, 12), 0.15), lessThan(-60.0));
  }

  @Test
  void aRigidRoomOfTheSameSizeEchoes() {
    // The same measurement in a closed concrete box: shows the check above can fail.
    String[] lines = new String[51];
    lines[0] = "tile 0.25";
    lines[1] = "map";
    lines[2] = "#".repeat(48);
    for (int i = 0; i < 46; i++) {
      lines[3 + i] = "#" + ".".repeat(46) + "#";
    }
    lines[49] = "#".repeat(48);
    lines[50] = "end";
    assertThat(echoToDirectDb(TestScenes.plan(lines), 0.15), greaterThan(-15.0));
  }

  @Test
  void longRunsStayQuiet() {
    // A second of simulation: the layer neither rings nor grows.
    assertThat(echoToDirectDb(TestScenes.openField(12, 12), 1.0), lessThan(-60.0));
  }

  /**
   * Energy of the simulation's difference from the exact free field between 30 ms and the end,
   * against the direct sound, 2 m from a source in the middle of the plan.
   */
  private static double echoToDirectDb(FloorPlan plan, double duration) {
    BakeSettings settings = BakeSettings.of(plan, 500, duration, 0.5);
    SceneRaster raster = new SceneRaster(plan, settings.grid().spacing());
    double h = settings.grid().spacing();
    double cx = plan.widthMetres() / 2;
    double cy = plan.heightMetres() / 2;
    SimulationDomain domain = SimulationDomain.around(raster, settings.grid(), cx, cy);
    Recording r =
        WaveSolver.run(
            domain,
            settings.grid(),
            settings.pulse(),
            ReceiverPoints.at(domain, new double[] {cx + 2}, new double[] {cy}),
            settings.steps());
    double[] p = r.pressure(0);
    double dt = r.timeStep();
    double distance = (raster.column(cx + 2) - raster.column(cx)) * h;
    double[] exact = new AnalyticResponse(settings.pulse()).waveform(distance, dt, p.length);
    double[] residual = new double[p.length];
    for (int n = 0; n < p.length; n++) {
      residual[n] = p[n] - exact[n];
    }
    double direct = ParameterExtractor.windowEnergy(p, dt, 0, 0.015);
    double echo = ParameterExtractor.windowEnergy(residual, dt, 0.030, duration);
    return 10 * Math.log10(echo / direct);
  }
}
