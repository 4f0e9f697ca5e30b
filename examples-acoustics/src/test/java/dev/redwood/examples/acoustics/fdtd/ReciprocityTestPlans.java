package dev.redwood.examples.acoustics.fdtd;

import dev.redwood.examples.acoustics.TestScenes;
import dev.redwood.examples.acoustics.scene.FloorPlan;

/**
 * A small room with walls of several materials, an obstacle, a custom material and an opening to
 * open air (so the absorbing layer takes part too).
 */
public final class ReciprocityTestPlans {
  public static final FloorPlan ROOM =
      TestScenes.plan(
          "tile 0.25",
          "material k 0.3 kitchen tiles",
          "map",
          "~~~~~~~~~~~~~~~~~~~~~~~~",
          "~##########gggg#####~~~~",
          "~#........c........#~~~~",
          "~#........c........#~~~~",
          "~#..####..c...a....#~~~~",
          "~#.....#...........~~~~~",
          "~#.....#....ww.....#~~~~",
          "~#..........ww.....#~~~~",
          "~#kkkkkkkkk........#~~~~",
          "~##########w########~~~~",
          "~~~~~~~~~~~~~~~~~~~~~~~~",
          "end");

  private ReciprocityTestPlans() {}
}
