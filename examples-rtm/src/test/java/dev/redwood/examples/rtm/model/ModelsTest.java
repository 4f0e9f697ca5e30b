package dev.redwood.examples.rtm.model;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.lessThan;

import org.junit.jupiter.api.Test;

/** The model generators and the smoothing of the migration velocity. */
class ModelsTest {

  @Test
  void marmousiLikeModelHasWaterFaultsAndSalt() {
    VelocityModel m = MarmousiLikeModel.create(176, 851, 20, 7);
    assertThat(m.min(), equalTo(MarmousiLikeModel.WATER));
    assertThat(m.max(), equalTo(MarmousiLikeModel.SALT));
    for (int ix = 0; ix < m.nx(); ix += 50) {
      assertThat(m.at(0, ix), equalTo(MarmousiLikeModel.WATER));
    }
    int salt = 0;
    for (float v : m.values()) {
      salt += v == MarmousiLikeModel.SALT ? 1 : 0;
    }
    assertThat(salt, greaterThan(1000));
    // A fault: across the first fault line (about 28% of the width) the beds jump, so some row
    // differs sharply between neighbouring columns there, unlike far from any fault.
    assertThat(maxLateralJump(m, 0.2, 0.36), greaterThan(maxLateralJump(m, 0.05, 0.12)));
    // Velocity increases with depth on average below the water (compaction).
    assertThat(meanRow(m, 150), greaterThan(meanRow(m, 40) + 800));
    // Deterministic per seed, different across seeds.
    assertThat(
        MarmousiLikeModel.create(50, 100, 20, 7),
        equalTo(MarmousiLikeModel.create(50, 100, 20, 7)));
    assertThat(
        MarmousiLikeModel.create(50, 100, 20, 7).equals(MarmousiLikeModel.create(50, 100, 20, 8)),
        equalTo(false));
  }

  private static double maxLateralJump(VelocityModel m, double from, double to) {
    double jump = 0;
    for (int ix = (int) (from * m.nx()); ix < (int) (to * m.nx()); ix++) {
      int count = 0;
      for (int iz = 30; iz < 120; iz++) {
        if (Math.abs(m.at(iz, ix + 1) - m.at(iz, ix)) > 50) {
          count++;
        }
      }
      jump = Math.max(jump, count);
    }
    return jump;
  }

  private static double meanRow(VelocityModel m, int iz) {
    double s = 0;
    for (int ix = 0; ix < m.nx() / 3; ix++) {
      s += m.at(iz, ix);
    }
    return s / (m.nx() / 3);
  }

  @Test
  void layeredModelPutsInterfacesWhereAsked() {
    VelocityModel m = LayeredModel.twoLayers(101, 101, 10, 600, 1500f, 2500f);
    assertThat(m.at(59, 50), equalTo(1500f));
    assertThat(m.at(60, 50), equalTo(2500f));
  }

  @Test
  void smoothingKeepsConstantsAndTheWater() {
    VelocityModel flat = LayeredModel.twoLayers(20, 20, 10, 1e9, 2000f, 2000f);
    VelocityModel smoothedFlat = GaussianSmoothing.smooth(flat, 50);
    for (float v : smoothedFlat.values()) {
      assertThat((double) v, closeTo(2000, 1e-2));
    }
    VelocityModel m = MarmousiLikeModel.create(60, 120, 20, 7);
    VelocityModel background = GaussianSmoothing.smoothKeepingWater(m, 150);
    for (int ix = 0; ix < m.nx(); ix++) {
      for (int iz = 0; iz < m.nz() && m.at(iz, ix) == MarmousiLikeModel.WATER; iz++) {
        assertThat(background.at(iz, ix), equalTo(MarmousiLikeModel.WATER));
      }
    }
    // Smooth: neighbouring cells of the background differ far less than the true model's.
    assertThat(maxVerticalStep(background), lessThan(maxVerticalStep(m) / 4));
  }

  private static double maxVerticalStep(VelocityModel m) {
    double step = 0;
    for (int ix = 0; ix < m.nx(); ix++) {
      for (int iz = 20; iz < m.nz() - 1; iz++) {
        step = Math.max(step, Math.abs(m.at(iz + 1, ix) - m.at(iz, ix)));
      }
    }
    return step;
  }
}
