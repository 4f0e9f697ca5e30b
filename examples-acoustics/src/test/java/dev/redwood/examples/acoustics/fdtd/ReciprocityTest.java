package dev.redwood.examples.acoustics.fdtd;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

import dev.redwood.examples.acoustics.BakeSettings;
import dev.redwood.examples.acoustics.scene.FloorPlan;
import org.junit.jupiter.api.Test;

/**
 * Swapping source and receiver gives the same impulse response, in a room with walls of several
 * materials, an obstacle and an opening to open air (so the absorbing layer takes part too).
 */
class ReciprocityTest {
  static final FloorPlan ROOM = ReciprocityTestPlans.ROOM;

  @Test
  void swappingSourceAndReceiverGivesTheSameResponse() {
    BakeSettings settings = BakeSettings.of(ROOM, 500, 0.15, 0.5);
    SceneRaster raster = new SceneRaster(ROOM, settings.grid().spacing());
    double ax = 0.9;
    double ay = 0.7;
    double bx = 4.3;
    double by = 1.9;
    SimulationDomain domain = SimulationDomain.around(raster, settings.grid(), ax, ay);
    // The other end sees the same connected air, hence the same domain.
    SimulationDomain other = SimulationDomain.around(raster, settings.grid(), bx, by);
    assertThat(other.nx() * 1000 + other.ny(), is(domain.nx() * 1000 + domain.ny()));

    Recording ab =
        WaveSolver.run(
            domain,
            settings.grid(),
            settings.pulse(),
            domain.indexAt(ax, ay),
            ReceiverPoints.at(domain, new double[] {bx}, new double[] {by}),
            settings.steps());
    Recording ba =
        WaveSolver.run(
            domain,
            settings.grid(),
            settings.pulse(),
            domain.indexAt(bx, by),
            ReceiverPoints.at(domain, new double[] {ax}, new double[] {ay}),
            settings.steps());
    double[] pab = ab.pressure(0);
    double[] pba = ba.pressure(0);
    double peak = 0;
    double difference = 0;
    for (int n = 0; n < pab.length; n++) {
      peak = Math.max(peak, Math.abs(pab[n]));
      difference = Math.max(difference, Math.abs(pab[n] - pba[n]));
    }
    assertThat("the receiver heard the source", peak, greaterThan(1e-3));
    // Float rounding only: the scheme's operator is symmetric.
    assertThat("largest difference relative to the peak", difference / peak, lessThan(1e-4));
  }

  @Test
  void aDifferentReceiverGivesADifferentResponse() {
    // The comparison above can fail: responses at different places differ by far more.
    BakeSettings settings = BakeSettings.of(ROOM, 500, 0.15, 0.5);
    SceneRaster raster = new SceneRaster(ROOM, settings.grid().spacing());
    SimulationDomain domain = SimulationDomain.around(raster, settings.grid(), 0.9, 0.7);
    Recording r =
        WaveSolver.run(
            domain,
            settings.grid(),
            settings.pulse(),
            ReceiverPoints.at(domain, new double[] {4.3, 4.6}, new double[] {1.9, 1.9}),
            settings.steps());
    double[] p0 = r.pressure(0);
    double[] p1 = r.pressure(1);
    double peak = 0;
    double difference = 0;
    for (int n = 0; n < p0.length; n++) {
      peak = Math.max(peak, Math.abs(p0[n]));
      difference = Math.max(difference, Math.abs(p0[n] - p1[n]));
    }
    assertThat(difference / peak, greaterThan(0.05));
  }
}
