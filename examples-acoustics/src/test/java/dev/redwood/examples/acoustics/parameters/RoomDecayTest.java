package dev.redwood.examples.acoustics.parameters;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.greaterThan;

import dev.redwood.examples.acoustics.BakeSettings;
import dev.redwood.examples.acoustics.ProbeBaker;
import dev.redwood.examples.acoustics.TestScenes;
import dev.redwood.examples.acoustics.fdtd.GridSettings;
import dev.redwood.examples.acoustics.scene.FloorPlan;
import dev.redwood.examples.acoustics.scene.Material;
import dev.redwood.examples.acoustics.scene.Probe;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A closed room's reverberation time against the 2D Sabine estimate. In 2D the mean free path is pi
 * S / L (area S, perimeter L), so energy decays as exp(-c L alpha t / (pi S)) and T60 = ln(10^6) pi
 * S / (c L alpha), with alpha the wall's diffuse-field absorption. The room is irregular, with
 * pillars, so its field is close to diffuse.
 */
class RoomDecayTest {
  static final String[] ROOM = {
    "tile 0.25",
    "material m 0.2 painted block",
    "map",
    "mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm",
    "m....................................m",
    "m....................................m",
    "m....................................m",
    "m........mm..........................m",
    "m........mm..............mmm.........m",
    "m........................mmm.........m",
    "m....................................m",
    "m....................................m",
    "m....................................m",
    "m...................mmmmmmmmmmmmmmmmmm",
    "m...................m~~~~~~~~~~~~~~~~~",
    "m.......mm..........m~~~~~~~~~~~~~~~~~",
    "m.......mm..........m~~~~~~~~~~~~~~~~~",
    "m...................m~~~~~~~~~~~~~~~~~",
    "m...................m~~~~~~~~~~~~~~~~~",
    "m...................m~~~~~~~~~~~~~~~~~",
    "m...................m~~~~~~~~~~~~~~~~~",
    "m...................m~~~~~~~~~~~~~~~~~",
    "m...................m~~~~~~~~~~~~~~~~~",
    "m...................m~~~~~~~~~~~~~~~~~",
    "mmmmmmmmmmmmmmmmmmmmm~~~~~~~~~~~~~~~~~",
    "end"
  };

  @Test
  void reverberationTimeMatchesSabineWithinFifteenPercent() {
    // Measured here: Sabine 0.435 s, median T30 0.470 s (10th-90th percentile 0.44-0.50 s).
    assertMatchesSabine(TestScenes.plan(ROOM));
  }

  @Test
  void floorAndCeilingShortenTheDecayAsSabineSays() {
    // A 3 m storey with floor/ceiling absorption 0.3 adds c 0.3 / (2 * 3 m) to the decay rate.
    // Measured here: Sabine 0.283 s, median T30 0.295 s.
    FloorPlan plan = TestScenes.plan(ROOM).withStorey(3.0, 0.3);
    assertMatchesSabine(plan);
  }

  /** The median T30 over the room's cells is within 15% of the 2D Sabine estimate. */
  private static void assertMatchesSabine(FloorPlan plan) {
    BakeSettings settings = BakeSettings.of(plan, 500, 1.0, 0.5);
    ProbeBaker.BakeOutcome result = new ProbeBaker(settings).bake(new Probe(0, 1.6, 1.4));
    List<Double> t30 = new ArrayList<>();
    for (int cell = 0; cell < settings.cells().cellCount(); cell++) {
      CellParameters p = result.field().get(cell);
      if (p != null && !Double.isNaN(p.reverberationTime())) {
        t30.add(p.reverberationTime());
      }
    }
    assertThat("cells with a measured T30", t30.size(), greaterThan(100));
    Collections.sort(t30);
    double measured = t30.get(t30.size() / 2);

    Material wall = plan.materials().get(0);
    double tile = plan.tileSize();
    int floor = 0;
    int faces = 0;
    for (int y = 0; y < plan.height(); y++) {
      for (int x = 0; x < plan.width(); x++) {
        if (plan.isWalkable(x, y)) {
          floor++;
          faces +=
              (plan.isWall(x - 1, y) ? 1 : 0)
                  + (plan.isWall(x + 1, y) ? 1 : 0)
                  + (plan.isWall(x, y - 1) ? 1 : 0)
                  + (plan.isWall(x, y + 1) ? 1 : 0);
        }
      }
    }
    double area = floor * tile * tile;
    double perimeter = faces * tile;
    // Energy decay rate: walls c L alpha / (pi S), plus floor and ceiling.
    double rate =
        GridSettings.SPEED_OF_SOUND * perimeter * wall.diffuseAbsorption() / (Math.PI * area)
            + plan.storeyLossRate();
    double sabine = Math.log(1e6) / rate;
    assertThat(
        String.format("median T30 over %d cells, against Sabine's %.3f s", t30.size(), sabine),
        measured,
        closeTo(sabine, 0.15 * sabine));
  }
}
