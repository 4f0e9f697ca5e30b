package dev.redwood.examples.acoustics;

import dev.redwood.examples.acoustics.scene.FloorPlan;
import dev.redwood.examples.acoustics.scene.FloorPlanText;
import java.util.Arrays;
import java.util.List;

/** Small plans the tests share. */
public final class TestScenes {
  private TestScenes() {}

  /** Open floor of w x h metres with nothing in it: free field (sound leaves at the edges). */
  public static FloorPlan openField(double w, double h) {
    double tile = 0.5;
    int tw = (int) Math.round(w / tile);
    int th = (int) Math.round(h / tile);
    byte[] tiles = new byte[tw * th];
    Arrays.fill(tiles, FloorPlan.FLOOR);
    return new FloorPlan("open field", tw, th, tile, tiles, List.of());
  }

  /** Parses a plan from lines. */
  public static FloorPlan plan(String... lines) {
    return FloorPlanText.parse(List.of(lines), "test-plan.txt");
  }
}
