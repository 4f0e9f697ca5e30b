package dev.redwood.examples.acoustics;

import dev.redwood.examples.acoustics.fdtd.GridSettings;
import dev.redwood.examples.acoustics.fdtd.SourcePulse;
import dev.redwood.examples.acoustics.parameters.Calibration;
import dev.redwood.examples.acoustics.scene.FloorPlan;
import dev.redwood.examples.acoustics.scene.ReceiverGrid;
import java.io.Serializable;

/**
 * Everything a probe's simulation needs, fixed once on the driver and shipped to the workers with
 * the DoFns: the plan, the grid, the pulse, the calibration and the bake's cells. The calibration
 * is computed here, once, rather than in every task.
 */
public record BakeSettings(
    FloorPlan plan,
    GridSettings grid,
    SourcePulse pulse,
    Calibration calibration,
    ReceiverGrid cells,
    double duration)
    implements Serializable {

  public static BakeSettings of(
      FloorPlan plan, double frequency, double duration, double cellSpacing) {
    GridSettings grid = GridSettings.forFrequency(frequency);
    SourcePulse pulse = SourcePulse.forGrid(grid);
    return new BakeSettings(
        plan,
        grid,
        pulse,
        Calibration.of(grid, pulse),
        ReceiverGrid.covering(plan, cellSpacing),
        duration);
  }

  /** Time steps of one probe's simulation. */
  public int steps() {
    return grid.steps(duration);
  }
}
