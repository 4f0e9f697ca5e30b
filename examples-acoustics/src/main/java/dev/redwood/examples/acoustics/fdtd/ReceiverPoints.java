package dev.redwood.examples.acoustics.fdtd;

import dev.redwood.examples.acoustics.scene.ReceiverGrid;
import java.util.Arrays;

/**
 * The cells of a domain where the simulation records: pressure, and a pressure-gradient stencil for
 * the direction of arrival. Each recorded point keeps the caller's id (a bake cell, or the
 * position's index in a test), so points the sound cannot reach are simply left out.
 */
public final class ReceiverPoints {
  private final int[] cells;
  private final int[] ids;

  /**
   * Gradient stencils: weights of the cell before, the cell itself and the cell after, per axis.
   */
  final float[] xMinus;

  final float[] xSelf;
  final float[] xPlus;
  final float[] yMinus;
  final float[] ySelf;
  final float[] yPlus;

  private ReceiverPoints(SimulationDomain domain, int[] cells, int[] ids) {
    this.cells = cells;
    this.ids = ids;
    int n = cells.length;
    xMinus = new float[n];
    xSelf = new float[n];
    xPlus = new float[n];
    yMinus = new float[n];
    ySelf = new float[n];
    yPlus = new float[n];
    for (int k = 0; k < n; k++) {
      int i = cells[k];
      stencil(domain.isAir(i - 1), domain.isAir(i + 1), k, xMinus, xSelf, xPlus);
      stencil(
          domain.isAir(i - domain.nx()), domain.isAir(i + domain.nx()), k, yMinus, ySelf, yPlus);
    }
  }

  /**
   * Central difference between air neighbours; one-sided beside a wall, where the wall's held zero
   * is not the pressure just outside the air.
   */
  private static void stencil(
      boolean before, boolean after, int k, float[] minus, float[] self, float[] plus) {
    if (before && after) {
      minus[k] = -0.5f;
      plus[k] = 0.5f;
    } else if (after) {
      self[k] = -1;
      plus[k] = 1;
    } else if (before) {
      minus[k] = -1;
      self[k] = 1;
    }
  }

  /**
   * One point per bake cell the sound reaches: the simulation cell at the cell's centre, or, when
   * that one is a wall, the reachable simulation cell nearest the centre within the bake cell.
   */
  public static ReceiverPoints forGrid(SimulationDomain domain, ReceiverGrid grid) {
    SceneRaster raster = domain.raster();
    double h = raster.spacing();
    int[] cells = new int[grid.cellCount()];
    int[] ids = new int[grid.cellCount()];
    int n = 0;
    for (int j = 0; j < grid.rows(); j++) {
      for (int i = 0; i < grid.columns(); i++) {
        double cx = grid.centreX(i);
        double cy = grid.centreY(j);
        int index = domain.indexAt(cx, cy);
        if (index < 0) {
          double best = Double.MAX_VALUE;
          int rxa = (int) Math.floor(i * grid.spacing() / h);
          int rxb = (int) Math.ceil((i + 1) * grid.spacing() / h);
          int rya = (int) Math.floor(j * grid.spacing() / h);
          int ryb = (int) Math.ceil((j + 1) * grid.spacing() / h);
          for (int ry = rya; ry <= ryb; ry++) {
            for (int rx = rxa; rx <= rxb; rx++) {
              double px = (rx + 0.5) * h;
              double py = (ry + 0.5) * h;
              boolean inside =
                  px >= i * grid.spacing()
                      && px < (i + 1) * grid.spacing()
                      && py >= j * grid.spacing()
                      && py < (j + 1) * grid.spacing();
              int candidate = inside ? domain.indexOfRaster(rx, ry) : -1;
              double d = Math.hypot(px - cx, py - cy);
              if (candidate >= 0 && d < best) {
                best = d;
                index = candidate;
              }
            }
          }
        }
        if (index >= 0) {
          cells[n] = index;
          ids[n] = grid.index(i, j);
          n++;
        }
      }
    }
    return new ReceiverPoints(domain, Arrays.copyOf(cells, n), Arrays.copyOf(ids, n));
  }

  /** Points at given positions (metres); ids are the positions' indices. */
  public static ReceiverPoints at(SimulationDomain domain, double[] xs, double[] ys) {
    int[] cells = new int[xs.length];
    int[] ids = new int[xs.length];
    int n = 0;
    for (int k = 0; k < xs.length; k++) {
      int index = domain.indexAt(xs[k], ys[k]);
      if (index >= 0) {
        cells[n] = index;
        ids[n] = k;
        n++;
      }
    }
    return new ReceiverPoints(domain, Arrays.copyOf(cells, n), Arrays.copyOf(ids, n));
  }

  public int count() {
    return cells.length;
  }

  /** Domain cell of point k. */
  public int cell(int k) {
    return cells[k];
  }

  /** Caller's id of point k. */
  public int id(int k) {
    return ids[k];
  }
}
