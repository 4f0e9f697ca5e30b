package dev.redwood.examples.acoustics.scene;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import java.util.List;
import org.junit.jupiter.api.Test;

class PlanGeneratorTest {
  @Test
  void sameSeedSamePlanOtherSeedOtherPlan() {
    assertThat(PlanGenerator.generate(24, 14, 5), equalTo(PlanGenerator.generate(24, 14, 5)));
    assertThat(PlanGenerator.generate(24, 14, 5), not(equalTo(PlanGenerator.generate(24, 14, 6))));
  }

  @Test
  void everyRoomOpensOntoTheCorridorAndTheCorridorOntoTheOutside() {
    FloorPlan plan = PlanGenerator.generate(30, 16, 11);
    // Flood the walkable floor from the first walkable tile: every walkable tile is reached, and
    // the flood reaches open ground outside the building.
    int w = plan.width();
    int h = plan.height();
    boolean[] seen = new boolean[w * h];
    int[] queue = new int[w * h];
    int head = 0;
    int tail = 0;
    int floor = 0;
    for (int i = 0; i < w * h && tail == 0; i++) {
      if (plan.isWalkable(i % w, i / w)) {
        queue[tail++] = i;
        seen[i] = true;
      }
    }
    boolean outside = false;
    while (head < tail) {
      int i = queue[head++];
      int x = i % w;
      int y = i / w;
      outside |= plan.code(x, y) == FloorPlan.OPEN;
      for (int[] d : new int[][] {{1, 0}, {-1, 0}, {0, 1}, {0, -1}}) {
        int nx = x + d[0];
        int ny = y + d[1];
        if (nx >= 0 && ny >= 0 && nx < w && ny < h && !seen[ny * w + nx] && !plan.isWall(nx, ny)) {
          seen[ny * w + nx] = true;
          queue[tail++] = ny * w + nx;
        }
      }
    }
    for (int i = 0; i < w * h; i++) {
      if (plan.isWalkable(i % w, i / w)) {
        floor++;
        assertThat(
            "walkable tile " + (i % w) + ", " + (i / w) + " is connected", seen[i], is(true));
      }
    }
    assertThat(outside, is(true));
    assertThat(floor, greaterThan(w * h / 3));
    assertThat(plan.storeyHeight(), greaterThan(0.0));
  }

  @Test
  void probesKeepClearOfWallsAndCoverTheCorridor() {
    FloorPlan plan = PlanGenerator.generate(32, 20, 7);
    List<Probe> probes = ProbePlacer.place(plan, 3.0);
    assertThat(probes.size(), greaterThan(50));
    for (int i = 0; i < probes.size(); i++) {
      Probe p = probes.get(i);
      assertThat(p.id(), is(i));
      int tx = (int) Math.floor(p.x() / plan.tileSize());
      int ty = (int) Math.floor(p.y() / plan.tileSize());
      assertThat(p + " has clearance", ProbePlacer.clear(plan, tx, ty), is(true));
    }
    // Every walkable spot with clearance has a probe within the gap distance.
    for (int ty = 0; ty < plan.height(); ty++) {
      for (int tx = 0; tx < plan.width(); tx++) {
        if (ProbePlacer.clear(plan, tx, ty)) {
          double x = (tx + 0.5) * plan.tileSize();
          double y = (ty + 0.5) * plan.tileSize();
          double nearest =
              probes.stream()
                  .mapToDouble(p -> Math.hypot(p.x() - x, p.y() - y))
                  .min()
                  .orElseThrow();
          assertThat(nearest <= ProbePlacer.GAP * 3.0 + 1e-9, is(true));
        }
      }
    }
  }
}
