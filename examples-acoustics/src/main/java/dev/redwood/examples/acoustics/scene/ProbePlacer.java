package dev.redwood.examples.acoustics.scene;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Places probes on a square grid over the walkable space of a plan. A grid point that falls in a
 * wall, off the floor or too close to a wall moves to the nearest tile within half a spacing that
 * keeps the clearance; points with no such tile are dropped. Narrow spaces the grid misses (a
 * corridor between two grid rows) are then filled: every walkable tile still farther than {@link
 * #GAP} spacings from all probes gets one, in reading order. Grid probes are numbered in reading
 * order first, then the filled ones, so the same plan and spacing give the same ids.
 */
public final class ProbePlacer {
  /** Distance a probe keeps from any wall: a listener's head is not inside the wall. */
  public static final double CLEARANCE = 0.4;

  /** A walkable spot farther than this many spacings from every probe gets one of its own. */
  public static final double GAP = 0.75;

  private ProbePlacer() {}

  public static List<Probe> place(FloorPlan plan, double spacing) {
    if (!(spacing > 0)) {
      throw new IllegalArgumentException("probe spacing must be positive, got " + spacing);
    }
    double tile = plan.tileSize();
    int columns = (int) Math.floor(plan.widthMetres() / spacing);
    int rows = (int) Math.floor(plan.heightMetres() / spacing);
    // Centre the grid on the plan.
    double ox = (plan.widthMetres() - (columns - 1) * spacing) / 2;
    double oy = (plan.heightMetres() - (rows - 1) * spacing) / 2;
    int reach = (int) Math.ceil(spacing / 2 / tile);
    Set<Long> taken = new HashSet<>();
    List<Probe> probes = new ArrayList<>();
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < columns; c++) {
        double gx = ox + c * spacing;
        double gy = oy + r * spacing;
        int tx0 = (int) Math.floor(gx / tile);
        int ty0 = (int) Math.floor(gy / tile);
        double bestDistance = Double.MAX_VALUE;
        int bx = -1;
        int by = -1;
        for (int ty = ty0 - reach; ty <= ty0 + reach; ty++) {
          for (int tx = tx0 - reach; tx <= tx0 + reach; tx++) {
            double cx = (tx + 0.5) * tile;
            double cy = (ty + 0.5) * tile;
            double d = Math.hypot(cx - gx, cy - gy);
            if (d <= spacing / 2 && d < bestDistance && clear(plan, tx, ty)) {
              bestDistance = d;
              bx = tx;
              by = ty;
            }
          }
        }
        if (bx >= 0 && taken.add(((long) by << 32) | bx)) {
          probes.add(new Probe(probes.size(), (bx + 0.5) * tile, (by + 0.5) * tile));
        }
      }
    }
    // Fill the gaps the grid left.
    for (int ty = 0; ty < plan.height(); ty++) {
      for (int tx = 0; tx < plan.width(); tx++) {
        double cx = (tx + 0.5) * tile;
        double cy = (ty + 0.5) * tile;
        if (farFromAll(probes, cx, cy, GAP * spacing) && clear(plan, tx, ty)) {
          probes.add(new Probe(probes.size(), cx, cy));
        }
      }
    }
    return probes;
  }

  private static boolean farFromAll(List<Probe> probes, double x, double y, double distance) {
    for (Probe p : probes) {
      if (Math.hypot(p.x() - x, p.y() - y) <= distance) {
        return false;
      }
    }
    return true;
  }

  /** Whether tile (tx, ty) is walkable and no wall lies within the clearance of its centre. */
  static boolean clear(FloorPlan plan, int tx, int ty) {
    if (tx < 0 || ty < 0 || tx >= plan.width() || ty >= plan.height() || !plan.isWalkable(tx, ty)) {
      return false;
    }
    double tile = plan.tileSize();
    int k = (int) Math.ceil(CLEARANCE / tile);
    double cx = (tx + 0.5) * tile;
    double cy = (ty + 0.5) * tile;
    for (int y = ty - k; y <= ty + k; y++) {
      for (int x = tx - k; x <= tx + k; x++) {
        if (plan.isWall(x, y)) {
          // Distance from the centre to the nearest point of the wall tile.
          double dx = Math.max(Math.max(x * tile - cx, cx - (x + 1) * tile), 0);
          double dy = Math.max(Math.max(y * tile - cy, cy - (y + 1) * tile), 0);
          if (Math.hypot(dx, dy) < CLEARANCE) {
            return false;
          }
        }
      }
    }
    return true;
  }
}
